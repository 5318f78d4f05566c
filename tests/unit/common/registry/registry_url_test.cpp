#include "common/registry/registry_url.h"

#include <gtest/gtest.h>

namespace fructosa {
namespace {

TEST(RegistryUrl, PostgresqlSchemes) {
    EXPECT_TRUE(is_postgresql_url("postgresql://u@h:5432/db"));
    EXPECT_TRUE(is_postgresql_url("postgres://h/db"));
    EXPECT_FALSE(is_postgresql_url("/var/lib/fructosa/registry.db"));
    EXPECT_FALSE(is_postgresql_url("mysql://h/db"));
    EXPECT_FALSE(is_postgresql_url("postgresql:/h/db"));
    EXPECT_FALSE(is_postgresql_url(""));
}

TEST(RegistryUrl, RedactsEveryPassword) {
    EXPECT_EQ(redact_url("postgresql://u@h:5432/db"), "postgresql://u@h:5432/db");
    EXPECT_EQ(redact_url("postgresql://u:pw@h:5432/db"), "postgresql://u:***@h:5432/db");
    EXPECT_EQ(redact_url("postgres://u:p%40ss@h/db"), "postgres://u:***@h/db");
    EXPECT_EQ(redact_url("postgresql://u:pw@h"), "postgresql://u:***@h");
    EXPECT_EQ(redact_url("postgresql://h:5432/db"), "postgresql://h:5432/db");  // the port's colon is no password
    EXPECT_EQ(redact_url("postgresql://u@h/db?password=pw"), "postgresql://u@h/db?password=***");
    EXPECT_EQ(redact_url("postgresql://u@h/db?sslmode=require&password=pw&connect_timeout=3"),
              "postgresql://u@h/db?sslmode=require&password=***&connect_timeout=3");
    EXPECT_EQ(redact_url("postgresql://u:a@b@h/db"), "postgresql://u:***@h/db");  // the last @ ends the user info
}

}  // namespace
}  // namespace fructosa
