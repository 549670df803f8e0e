// fuzz/deflate_roundtrip.cpp — core::Deflater then core::Inflater, on arbitrary bytes.
// The first payload byte picks the level and window bits; the input-chosen split points
// are where the data is handed to the compressor (flush none), every fourth piece ending
// with a sync flush, the last one always. Checked:
//   - each call fits in max_output() (and never writes past it: exact-size heap blocks);
//   - every sync flush ends in 00 00 ff ff (RFC 7692 §7.2.1);
//   - inflating the whole output (same window bits) gives back exactly the input.
#include "core/deflate.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/inflate.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sluice;
    if (size < 2) return 0;
    const auto level = (data[0] & 1) != 0 ? core::DeflateLevel::fast : core::DeflateLevel::normal;
    const unsigned bits = 8 + ((data[0] >> 1) & 7);
    const fuzz::SplitInput input(data + 1, size - 1);
    const auto payload = input.payload();
    core::Deflater d(level, bits);
    std::vector<std::uint8_t> stream;
    std::size_t offset = 0;
    std::size_t index = 0;
    auto feed = [&](std::span<const std::uint8_t> piece, bool sync) {
        const std::size_t room = d.max_output(piece.size());
        std::unique_ptr<std::uint8_t[]> out(new std::uint8_t[room]);
        const auto r = d.deflate(piece, std::span<std::uint8_t>(out.get(), room),
                                 sync ? core::DeflateFlush::sync : core::DeflateFlush::none);
        SLUICE_FUZZ_CHECK(r.status == core::DeflateStatus::ok);
        SLUICE_FUZZ_CHECK(r.produced <= room);
        if (sync) {
            SLUICE_FUZZ_CHECK(r.produced >= 4);
            SLUICE_FUZZ_CHECK(out[r.produced - 4] == 0 && out[r.produced - 3] == 0 && out[r.produced - 2] == 0xff &&
                              out[r.produced - 1] == 0xff);
        }
        stream.insert(stream.end(), out.get(), out.get() + r.produced);
    };
    input.for_each_chunk([&](std::span<std::uint8_t> chunk) {
        offset += chunk.size();
        feed(chunk, offset == payload.size() || ++index % 4 == 0);
    });
    if (payload.empty()) feed({}, true);
    core::Inflater inf(bits);
    std::vector<std::uint8_t> back(payload.size() + 1);
    const auto r = inf.inflate(stream, back);
    SLUICE_FUZZ_CHECK(r.status == core::InflateStatus::need_input);
    SLUICE_FUZZ_CHECK(r.consumed == stream.size());
    SLUICE_FUZZ_CHECK(r.produced == payload.size());
    SLUICE_FUZZ_CHECK(std::equal(payload.begin(), payload.end(), back.begin()));
    SLUICE_FUZZ_CHECK(inf.at_block_boundary());
    return 0;
}
