namespace fructosa {}
