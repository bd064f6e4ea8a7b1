#include "floe/parquet/page_decompression.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "floe/compression/codec.h"

namespace floe::parquet {
namespace {

// Pages compressed into one contiguous "chunk", as a column chunk holds them.
struct TestChunk {
  std::vector<std::string> pages;
  std::string bytes;
  std::vector<PageTask> tasks;
};

TestChunk MakeChunk(int pages, int corrupt_page = -1) {
  TestChunk c;
  auto codec = MakeCodec(CodecKind::kZstd);
  EXPECT_TRUE(codec.ok());
  std::vector<size_t> starts, sizes;
  for (int p = 0; p < pages; ++p) {
    std::string page;
    for (int i = 0; i < 600 + p * 37; ++i)
      page += "page " + std::to_string(p) + " value " + std::to_string(i) + ";";
    Buffer compressed;
    EXPECT_TRUE((*codec)->Compress(AsBytes(page), &compressed).ok());
    std::string stored(compressed.string_view());
    if (p == corrupt_page) {
      stored[stored.size() / 2] ^= 0x55;
      stored[4] ^= 0x55;
    }
    starts.push_back(c.bytes.size());
    sizes.push_back(stored.size());
    c.bytes += stored;
    c.pages.push_back(page);
  }
  for (int p = 0; p < pages; ++p) {
    const auto* base = reinterpret_cast<const uint8_t*>(c.bytes.data());
    c.tasks.push_back({ByteView(base + starts[p], sizes[p]), c.pages[p].size()});
  }
  return c;
}

// The reader's side as PageReader does it: a page no helper took is decompressed by the reader.
std::vector<std::string> ReadPages(DecompressionBoard* board, DecompressionBoard::Chunk* shared,
                                   const TestChunk& c, Codec* codec, int* failed) {
  std::vector<std::string> out;
  for (const PageTask& t : c.tasks) {
    ByteView body;
    if (board->Take(shared, t.compressed.data(), codec, &body)) {
      out.emplace_back(AsStringView(body));
      continue;
    }
    std::string page(t.uncompressed_size, '\0');
    if (codec->Decompress(t.compressed, reinterpret_cast<uint8_t*>(page.data()), page.size())
            .ok()) {
      out.push_back(page);
    } else {
      ++*failed;
      out.emplace_back();
    }
  }
  return out;
}

TEST(DecompressionBoard, ReaderGetsEveryPageInOrderWithHelpers) {
  for (int helpers : {0, 1, 3}) {
    for (size_t window : {1, 2, 4}) {
      SCOPED_TRACE("helpers " + std::to_string(helpers) + ", window " + std::to_string(window));
      TestChunk a = MakeChunk(9), b = MakeChunk(5);
      DecompressionBoard board(/*columns=*/2, window);
      std::vector<std::thread> threads;
      for (int h = 0; h < helpers; ++h) {
        threads.emplace_back([&] {
          std::unique_ptr<Codec> own;
          board.Help(&own);
        });
      }
      auto codec = MakeCodec(CodecKind::kZstd);
      ASSERT_TRUE(codec.ok());
      // Two chunks on the board at once, read one after the other by one reader.
      DecompressionBoard::Chunk* sa = board.Offer(a.tasks, CodecKind::kZstd);
      DecompressionBoard::Chunk* sb = board.Offer(b.tasks, CodecKind::kZstd);
      int failed = 0;
      EXPECT_EQ(ReadPages(&board, sa, a, codec->get(), &failed), a.pages);
      board.Withdraw(sa);
      board.ColumnFinished();
      EXPECT_EQ(ReadPages(&board, sb, b, codec->get(), &failed), b.pages);
      board.Withdraw(sb);
      board.ColumnFinished();
      for (auto& t : threads) t.join();  // Help returns once both columns are finished
      EXPECT_EQ(failed, 0);
    }
  }
}

// A page a helper cannot decompress is left to the reader, which then sees the failure itself.
TEST(DecompressionBoard, FailedPageIsLeftToTheReader) {
  TestChunk c = MakeChunk(6, /*corrupt_page=*/3);
  DecompressionBoard board(1, 4);
  std::thread helper([&] {
    std::unique_ptr<Codec> own;
    board.Help(&own);
  });
  auto codec = MakeCodec(CodecKind::kZstd);
  ASSERT_TRUE(codec.ok());
  DecompressionBoard::Chunk* shared = board.Offer(c.tasks, CodecKind::kZstd);
  int failed = 0;
  std::vector<std::string> got = ReadPages(&board, shared, c, codec->get(), &failed);
  EXPECT_EQ(failed, 1);
  for (size_t p = 0; p < got.size(); ++p) {
    if (p != 3) {
      EXPECT_EQ(got[p], c.pages[p]) << p;
    }
  }
  board.Withdraw(shared);
  board.ColumnFinished();
  helper.join();
}

// A reader that stops early (an error in a page's values) withdraws while helpers may still be
// decompressing its later pages; withdrawing waits for them, so the chunk's bytes can be freed.
TEST(DecompressionBoard, WithdrawMidChunkWaitsForHelpers) {
  for (int round = 0; round < 20; ++round) {
    auto c = std::make_unique<TestChunk>(MakeChunk(8));
    DecompressionBoard board(1, 4);
    std::thread helper([&] {
      std::unique_ptr<Codec> own;
      board.Help(&own);
    });
    auto codec = MakeCodec(CodecKind::kZstd);
    ASSERT_TRUE(codec.ok());
    DecompressionBoard::Chunk* shared = board.Offer(c->tasks, CodecKind::kZstd);
    ByteView body;
    board.Take(shared, c->tasks[0].compressed.data(), codec->get(), &body);
    board.Withdraw(shared);
    c.reset();  // ASan reports a helper still reading the freed bytes
    board.ColumnFinished();
    helper.join();
  }
}

// Pages not offered (uncompressed ones, or not in the task list) are the reader's.
TEST(DecompressionBoard, UnknownPageIsTheReaders) {
  TestChunk c = MakeChunk(2);
  DecompressionBoard board(1, 2);
  DecompressionBoard::Chunk* shared = board.Offer(c.tasks, CodecKind::kZstd);
  auto codec = MakeCodec(CodecKind::kZstd);
  ASSERT_TRUE(codec.ok());
  ByteView body;
  EXPECT_FALSE(board.Take(shared, c.tasks[0].compressed.data() + 1, codec->get(), &body));
  // Without helpers every page is the reader's.
  EXPECT_FALSE(board.Take(shared, c.tasks[0].compressed.data(), codec->get(), &body));
  EXPECT_FALSE(board.Take(shared, c.tasks[1].compressed.data(), codec->get(), &body));
  board.Withdraw(shared);
  board.ColumnFinished();
  std::unique_ptr<Codec> own;
  board.Help(&own);  // every column finished: returns at once
}

}  // namespace
}  // namespace floe::parquet
