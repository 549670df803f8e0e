// fuzz/inflate.cpp — core::Inflater on arbitrary bytes, fed at input-chosen split points
// into input-chosen output sizes. Checked:
//   - whole input into one output span == chunked input into small output spans: the same
//     bytes, the same final status and the same error (RFC 1951 decoding is a function of
//     the bytes, not of how they arrive);
//   - one Inflater does both, reset() between them, then once more after release(): a reset
//     stream keeps nothing of the last (RFC 7692 no context takeover);
//   - nothing is written past an output span (each span is an exact-size heap block);
//   - the output limit holds (64 KiB here): a bomb stops with output_full;
//   - with zlib installed (zlib1g-dev; the Makefile then links -lz into this harness only),
//     zlib's raw inflate is the oracle: same bytes out, an error whenever zlib errs, and no
//     error where zlib finished or stopped with input left.
#include "core/inflate.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "fuzz/fuzz_input.hpp"

#if __has_include(<zlib.h>)  // the Makefile links -lz exactly when this header exists
#include <zlib.h>
#define SLUICE_FUZZ_ZLIB 1
#endif

namespace {

using sluice::core::InflateError;
using sluice::core::Inflater;
using sluice::core::InflateStatus;

constexpr std::size_t kLimit = 1 << 16;

struct Outcome {
    std::vector<std::uint8_t> out;
    InflateStatus status = InflateStatus::need_input;
    InflateError error = InflateError::none;
};

// Feeds the chunks; writes into spans of `out_step` bytes (0: the whole limit at once).
template <class Chunks>
Outcome run(Inflater& inf, Chunks&& for_each_chunk, std::size_t out_step) {
    Outcome o;
    bool stopped = false;
    for_each_chunk([&](std::span<const std::uint8_t> chunk) {
        std::size_t used = 0;
        while (!stopped) {
            const std::size_t room = kLimit - o.out.size();
            const std::size_t n = out_step == 0 || out_step > room ? room : out_step;
            std::unique_ptr<std::uint8_t[]> span(new std::uint8_t[n == 0 ? 1 : n]);
            const auto r = inf.inflate(chunk.subspan(used), std::span<std::uint8_t>(span.get(), n));
            SLUICE_FUZZ_CHECK(r.produced <= n);
            SLUICE_FUZZ_CHECK(r.consumed <= chunk.size() - used);
            o.out.insert(o.out.end(), span.get(), span.get() + r.produced);
            used += r.consumed;
            o.status = r.status;
            o.error = r.error;
            if (r.status == InflateStatus::error || r.status == InflateStatus::done) stopped = true;
            if (r.status == InflateStatus::output_full && o.out.size() == kLimit) stopped = true;
            if (r.status == InflateStatus::need_input) {
                SLUICE_FUZZ_CHECK(used == chunk.size());
                break;
            }
        }
    });
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const sluice::fuzz::SplitInput input(data, size);
    const auto payload = input.payload();
    Inflater inf(15);
    SLUICE_FUZZ_CHECK(inf.window_bits() == 15);
    const Outcome whole = run(inf, [&](auto&& fn) { fn(payload); }, 0);
    SLUICE_FUZZ_CHECK(inf.error() == whole.error && !sluice::core::inflate_error_name(whole.error).empty());
    SLUICE_FUZZ_CHECK(inf.finished() == (whole.status == InflateStatus::done));
    SLUICE_FUZZ_CHECK(!inf.finished() || inf.at_block_boundary());
    if (whole.status == InflateStatus::error) {  // sticky: the same error, nothing read or written
        std::uint8_t one = 0;
        const auto r = inf.inflate(payload, std::span<std::uint8_t>(&one, 1));
        SLUICE_FUZZ_CHECK(r.status == InflateStatus::error && r.error == whole.error && r.produced == 0);
    }
    const std::size_t out_step = input.lengths().empty() ? 1 : 1 + input.lengths()[0] % 64;
    // The same Inflater after reset() (a new message, no context takeover): nothing of the
    // first stream is left, so the split run must match the whole one exactly.
    inf.reset();
    const Outcome split = run(inf, [&](auto&& fn) { input.for_each_chunk([&](std::span<std::uint8_t> c) { fn(c); }); },
                              out_step);
    // And after release() (the window given back): the same again.
    inf.release();
    SLUICE_FUZZ_CHECK(inf.window_capacity() == 0);
    const Outcome again = run(inf, [&](auto&& fn) { fn(payload); }, 0);
    SLUICE_FUZZ_CHECK(again.out == whole.out && again.error == whole.error && again.status == whole.status);
    SLUICE_FUZZ_CHECK(whole.status == split.status || whole.out.size() == kLimit);
    SLUICE_FUZZ_CHECK(whole.error == split.error);
    SLUICE_FUZZ_CHECK(whole.out == split.out);
    SLUICE_FUZZ_CHECK(whole.error != InflateError::table_overflow);

#ifdef SLUICE_FUZZ_ZLIB
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) return 0;
    std::vector<std::uint8_t> theirs(kLimit);
    z.next_in = const_cast<Bytef*>(payload.data());
    z.avail_in = static_cast<uInt>(payload.size());
    z.next_out = theirs.data();
    z.avail_out = static_cast<uInt>(theirs.size());
    const int rc = inflate(&z, Z_SYNC_FLUSH);
    const std::size_t produced = theirs.size() - z.avail_out;
    const bool zlib_waiting = rc != Z_STREAM_END && z.avail_in == 0;  // zlib wants more input
    inflateEnd(&z);
    const bool zlib_error = rc == Z_DATA_ERROR || rc == Z_MEM_ERROR || rc == Z_NEED_DICT;
    if (whole.out.size() < kLimit && produced < kLimit) {
        // We may see an error sooner than zlib: an empty code length code, say, is refused at
        // once; zlib waits for the first symbol it cannot decode. Never the other way round.
        if (zlib_error) SLUICE_FUZZ_CHECK(whole.status == InflateStatus::error);
        else if (!zlib_waiting) SLUICE_FUZZ_CHECK(whole.status != InflateStatus::error);
        if (!zlib_error && whole.status != InflateStatus::error) {
            SLUICE_FUZZ_CHECK(produced == whole.out.size());
            SLUICE_FUZZ_CHECK(produced == 0 || std::memcmp(theirs.data(), whole.out.data(), produced) == 0);
            SLUICE_FUZZ_CHECK((rc == Z_STREAM_END) == (whole.status == InflateStatus::done));
        }
    }
#endif
    return 0;
}
