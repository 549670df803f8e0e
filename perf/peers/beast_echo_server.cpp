// A Boost.Beast WebSocket echo server: a peer perf/bench_load.sh measures sluice against.
// Used only for comparison; never linked into sluice. Built by perf/bench_load.sh:
//   g++ -std=c++17 -O2 perf/peers/beast_echo_server.cpp -o build/peers/beast_echo_server -pthread
//   build/peers/beast_echo_server PORT
// One thread, one io_context, plain tcp::socket (no timers), permessage-deflate off.
// Routes: /fanout relays every message to every other connection on /fanout (per-connection
// write queue holding shared strings); every other path echoes each message with its opcode.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <utility>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

class Session;
using Hub = std::set<Session*>;  // the /fanout connections; sessions remove themselves

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Hub& hub) : ws_(std::move(socket)), hub_(hub) {}
  ~Session() { hub_.erase(this); }

  void start() {
    http::async_read(ws_.next_layer(), buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->accept();
                     });
  }

 private:
  struct Outgoing {
    std::shared_ptr<const std::string> bytes;
    bool text;
  };

  void accept() {
    fanout_ = request_.target() == "/fanout";
    ws_.read_message_max(16 * 1024 * 1024);
    ws_.auto_fragment(false);
    ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      if (self->fanout_) self->hub_.insert(self.get());
      self->read();
    });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (self->fanout_) self->relay();
      else self->echo();
    });
  }

  void echo() {
    ws_.text(ws_.got_text());
    ws_.async_write(buffer_.data(), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->buffer_.consume(self->buffer_.size());
      self->read();
    });
  }

  void relay() {
    auto message = std::make_shared<const std::string>(beast::buffers_to_string(buffer_.data()));
    const bool text = ws_.got_text();
    buffer_.consume(buffer_.size());
    for (Session* member : hub_)
      if (member != this) member->enqueue(Outgoing{message, text});
    read();
  }

  void enqueue(Outgoing out) {
    queue_.push_back(std::move(out));
    if (!writing_) write_next();
  }

  void write_next() {
    writing_ = true;
    ws_.text(queue_.front().text);
    ws_.async_write(asio::buffer(*queue_.front().bytes),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->queue_.pop_front();
                      if (ec || self->queue_.empty()) {
                        self->writing_ = false;
                        if (ec) self->queue_.clear();
                        return;
                      }
                      self->write_next();
                    });
  }

  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  Hub& hub_;
  std::deque<Outgoing> queue_;
  bool fanout_ = false;
  bool writing_ = false;
};

class Listener {
 public:
  Listener(asio::io_context& io, unsigned short port, Hub& hub) : acceptor_(io), hub_(hub) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(4096);
  }

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(socket), hub_)->start();
      }
      accept();
    });
  }

 private:
  tcp::acceptor acceptor_;
  Hub& hub_;
};

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 9003;
  asio::io_context io(1);
  Hub hub;
  Listener listener(io, static_cast<unsigned short>(port), hub);
  listener.accept();
  std::printf("beast echo listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  io.run();
  return 0;
}
