// grouping.cc: see grouping.h.
#include "manifest/grouping.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <utility>

namespace lakepack::manifest {

std::vector<FileGroup> PlanGroups(std::span<const int64_t> sizes, int64_t target) {
  std::vector<int64_t> order(sizes.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return sizes[a] > sizes[b]; });
  std::vector<FileGroup> groups;
  // Open groups by free room (then group index, to break ties deterministically).
  std::set<std::pair<int64_t, int64_t>> open;
  for (int64_t i : order) {
    int64_t s = std::max<int64_t>(0, sizes[i]);
    auto it = open.lower_bound({s, -1});
    if (it != open.end()) {
      auto [room, g] = *it;
      auto hint = open.erase(it);
      groups[g].files.push_back(i);
      groups[g].size += s;
      // A full group never takes another file (unless of size 0): drop it from the open set.
      if (room - s > 0) open.emplace_hint(hint, room - s, g);
      continue;
    }
    int64_t g = static_cast<int64_t>(groups.size());
    groups.push_back(FileGroup{{i}, s});
    if (s < target) open.emplace(target - s, g);
  }
  for (auto& g : groups) std::sort(g.files.begin(), g.files.end());
  return groups;
}

}  // namespace lakepack::manifest
