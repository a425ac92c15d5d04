#include "store/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace lakepack {

Status ParallelFor(int64_t begin, int64_t end, int threads,
                   const std::function<Status(int64_t)>& task) {
  if (end <= begin) return Status::OK();
  std::atomic<int64_t> next{begin};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;  // guarded by mu
  auto worker = [&] {
    for (int64_t i = next++; i < end && !failed; i = next++) {
      Status st = task(i);
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = std::move(st);
        failed = true;
        return;
      }
    }
  };
  const int n = static_cast<int>(std::clamp<int64_t>(threads, 1, end - begin));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return first_error;
}

}  // namespace lakepack
