#include "net/address.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string_view>
#include <vector>

#include <netinet/in.h>

using namespace sluice::net;

TEST_SUITE("net") {

TEST_CASE("addresses: IPv4 and IPv6 literals resolve without a lookup and format back") {
  SocketAddress a;
  REQUIRE(resolve_address("127.0.0.1", 8080, false, a));
  CHECK(a.family() == AF_INET);
  CHECK(a.length == sizeof(sockaddr_in));
  CHECK(format_address(reinterpret_cast<const sockaddr*>(&a.storage), a.length) == "127.0.0.1:8080");

  REQUIRE(resolve_address("::1", 443, false, a));
  CHECK(a.family() == AF_INET6);
  CHECK(format_address(reinterpret_cast<const sockaddr*>(&a.storage), a.length) == "[::1]:443");

  REQUIRE(resolve_address("[2001:db8::5]", 1, false, a));
  CHECK(format_address(reinterpret_cast<const sockaddr*>(&a.storage), a.length) == "[2001:db8::5]:1");

  REQUIRE(resolve_address("::ffff:10.0.0.1", 65535, false, a));
  CHECK(format_address(reinterpret_cast<const sockaddr*>(&a.storage), a.length) == "[::ffff:10.0.0.1]:65535");
}

TEST_CASE("addresses: names go through getaddrinfo; garbage and truncated sockaddrs fail") {
  SocketAddress a;
  REQUIRE(resolve_address("localhost", 80, false, a));
  CHECK((a.family() == AF_INET || a.family() == AF_INET6));
  REQUIRE(resolve_address("", 80, true, a));  // the passive wildcard
  CHECK_FALSE(resolve_address("not-an-address.invalid", 80, false, a));
  CHECK_FALSE(resolve_address("1.2.3.4.5", 80, false, a));

  REQUIRE(resolve_address("10.1.2.3", 9, false, a));
  CHECK(format_address(reinterpret_cast<const sockaddr*>(&a.storage), 4).empty());
  sockaddr other{};
  other.sa_family = AF_UNIX;
  CHECK(format_address(&other, sizeof other).empty());
}

TEST_CASE("addresses: a host with a NUL byte never resolves (found by fuzz/address_fuzz.cpp)") {
  // The C functions behind resolve_address stop at the NUL: "127.0.0.1\0.evil" resolved as
  // 127.0.0.1, and a name lookup would have asked for a shorter name than the one given.
  SocketAddress a;
  CHECK_FALSE(resolve_address(std::string_view("127.0.0.1\0.evil", 15), 80, false, a));
  CHECK_FALSE(resolve_address(std::string_view("[::1\0]", 6), 80, false, a));
  CHECK_FALSE(resolve_address(std::string_view("localhost\0", 10), 80, false, a));
  CHECK_FALSE(resolve_address(std::string_view("\0", 1), 80, true, a));
}

TEST_CASE("addresses: a sockaddr shorter than its family field formats as nothing (fuzz/address_fuzz.cpp)") {
  // format_address read sa_family before looking at the length: one byte past a 1-byte address.
  const auto* one = new unsigned char[1]{AF_INET};
  CHECK(format_address(reinterpret_cast<const sockaddr*>(one), 1).empty());
  CHECK(format_address(reinterpret_cast<const sockaddr*>(one), 0).empty());
  delete[] one;
}

TEST_CASE("address: resolve_all lists every address of a name, a literal as itself; parse_ip_literal never looks up") {
  std::vector<SocketAddress> all;
  CHECK(resolve_all("localhost", 80, all).empty());
  REQUIRE_FALSE(all.empty());
  for (const SocketAddress& a : all) CHECK((a.family() == AF_INET || a.family() == AF_INET6));
  CHECK(resolve_all("[::1]", 9000, all).empty());
  REQUIRE(all.size() == 1);
  CHECK(all[0].family() == AF_INET6);
  CHECK(format_address(reinterpret_cast<const sockaddr*>(&all[0].storage), all[0].length) == "[::1]:9000");
  CHECK_FALSE(resolve_all("", 80, all).empty());
  CHECK(all.empty());
  SocketAddress one;
  CHECK(parse_ip_literal("127.0.0.1", 1, one));
  CHECK(parse_ip_literal("[::1]", 1, one));
  CHECK_FALSE(parse_ip_literal("localhost", 1, one));
  CHECK_FALSE(parse_ip_literal(std::string_view("127.0.0.1\0x", 11), 1, one));
}

}  // TEST_SUITE
