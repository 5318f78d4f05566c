#include "collector/pass_reader.h"

namespace fructosa {

void PassReader::begin_pass() {
    // Files keep their buffers across passes; one not read in the last pass (its
    // interface or disk went away) is forgotten, so the map holds what is read now.
    for (auto it = files_.begin(); it != files_.end();)
        it = it->second.pass < pass_ ? files_.erase(it) : std::next(it);
    ++pass_;
    dirs_.clear();
    exists_.clear();
}

const PassReader::File& PassReader::file(const std::string& path) const {
    File& f = files_[path];
    if (f.pass != pass_) {
        f.pass = pass_;
        f.present = machine_.read_file_into(path, f.text);
        if (!f.present) f.text.clear();
    }
    return f;
}

std::optional<std::string> PassReader::read_file(const std::string& path) const {
    const File& f = file(path);
    if (!f.present) return std::nullopt;
    return f.text;
}

bool PassReader::read_file_into(const std::string& path, std::string& out) const {
    const File& f = file(path);
    if (!f.present) return false;
    out.assign(f.text);
    return true;
}

std::vector<std::string> PassReader::list_dir(const std::string& path) const {
    auto it = dirs_.find(path);
    if (it == dirs_.end()) it = dirs_.emplace(path, machine_.list_dir(path)).first;
    return it->second;
}

bool PassReader::exists(const std::string& path) const {
    auto it = exists_.find(path);
    if (it == exists_.end()) it = exists_.emplace(path, machine_.exists(path)).first;
    return it->second;
}

std::optional<std::uint64_t> PassReader::link_generation() const {
    if (link_pass_ != pass_) {
        link_pass_ = pass_;
        link_ = machine_.link_generation();
    }
    return link_;
}

}  // namespace fructosa
