// admin.cc: see lakepack/pack_admin.h.
#include <algorithm>
#include <map>
#include <set>

#include "base/json.h"
#include "lakepack/pack_admin.h"
#include "pack/lock.h"
#include "pack/naming.h"
#include "pack/state.h"
#include "txlog/log.h"

namespace lakepack::pack {
namespace {

// One table's state directory, read once: its objects by kind, the latest records and the lock.
struct StateDir {
  std::shared_ptr<ObjectStore> store;
  std::string prefix;  // the state directory's key prefix
  std::unique_ptr<txlog::Log> intents, commits;
  int64_t max_intent = -1, max_commit = -1;
  std::vector<ObjectInfo> objects;  // every object directly in it
  LockState lock;
  Commit last;  // the latest commit (generation -1: none)
};

Result<StateDir> OpenState(const PackStateOptions& o) {
  LP_RETURN_NOT_OK(o.Validate());
  StateDir s;
  LP_ASSIGN_OR_RETURN(auto out, OpenStore(o.output_base, o.store));
  s.store = out.store;
  LP_ASSIGN_OR_RETURN(OutputPlace place,
                      OutputPlaceOf(out.key, o.table, o.suffix, o.out_ext, o.partition));
  s.prefix = place.state_prefix;
  LP_ASSIGN_OR_RETURN(s.objects, s.store->ListAll(s.prefix));
  std::erase_if(s.objects, [&](const ObjectInfo& obj) {
    return obj.key.find('/', s.prefix.size()) != std::string::npos;
  });
  if (s.objects.empty()) {
    // A typo in the table, partition or extension: say so, naming the state the table has.
    const std::string all_state = place.table_prefix + "_lakepack/pack/";
    LP_ASSIGN_OR_RETURN(auto others, s.store->ListAll(all_state));
    std::set<std::string> dirs;
    for (const auto& obj : others) {
      const size_t slash = obj.key.rfind('/');
      dirs.insert(s.store->Uri(obj.key.substr(0, slash + 1)));
    }
    std::string msg = "pack: no pack state at " + s.store->Uri(s.prefix) +
                      " (the table was never packed with this --partition, --suffix and --out-ext";
    if (dirs.empty()) {
      msg +=
          "; nothing is stored under " + s.store->Uri(all_state) + ": check OUTPUT_BASE and TABLE)";
    } else {
      msg += "; its pack state is at:";
      for (const auto& d : dirs) msg += " " + d;
      msg += ")";
    }
    return Status::NotFound(msg);
  }
  for (const char* stem : {"intent-", "commit-"}) {
    txlog::LogOptions lo;
    lo.prefix = s.prefix;
    lo.stem = stem;
    LP_ASSIGN_OR_RETURN(auto log, txlog::Log::Open(s.store, std::move(lo)));
    (stem[0] == 'i' ? s.intents : s.commits) = std::move(log);
  }
  LP_ASSIGN_OR_RETURN(s.max_intent, s.intents->Latest());
  LP_ASSIGN_OR_RETURN(s.max_commit, s.commits->Latest());
  LP_ASSIGN_OR_RETURN(s.lock, ReadLock(*s.store, s.prefix, *s.intents, s.max_intent, s.max_commit));
  s.last.generation = -1;
  if (s.max_commit >= 0) {
    LP_ASSIGN_OR_RETURN(std::string text, s.commits->Read(s.max_commit));
    LP_ASSIGN_OR_RETURN(s.last,
                        ParseCommit(text, s.store->Uri(s.commits->RecordKey(s.max_commit))));
  }
  return s;
}

PackLockInfo LockInfoOf(const LockState& l) {
  PackLockInfo i;
  i.held = l.held;
  if (!l.held) {
    i.state = "none";
    return i;
  }
  i.generation = l.intent.generation;
  i.owner_host = l.intent.owner.host;
  i.owner_pid = l.intent.owner.pid;
  i.owner_boot_id = l.intent.owner.boot_id;
  i.since_ms = l.intent.created_ms;
  i.expiry_ms = l.expiry_ms;
  i.owner_dead = l.owner_dead;
  i.unlocked = l.unlocked.has_value();
  i.recovers = l.intent.recovers;
  i.live = l.Live(NowUnixMs());
  i.state = i.unlocked     ? "unlocked"
            : i.owner_dead ? "dead (its process is gone)"
            : i.live       ? "live"
                           : "expired (its lease passed)";
  return i;
}

// What PackGc removes and keeps (see pack_admin.h): keys to remove, "URI (why)" kept.
struct GcPlan {
  std::vector<std::string> remove;
  std::vector<std::string> kept;
};

GcPlan PlanGc(const StateDir& s) {
  GcPlan plan;
  const int64_t now = NowUnixMs();
  const int64_t latest_run = std::max(s.max_intent, s.max_commit);
  // Base copies that uncommitted intents name: a crashed run's recovery reads them.
  std::set<std::string> named_bases;
  std::map<int64_t, const ObjectInfo*> intents;
  for (const auto& obj : s.objects) {
    auto name = ParseStateObjectName(BaseName(obj.key));
    if (name && name->kind == StateObjectKind::kIntent) intents[name->generation] = &obj;
  }
  if (s.lock.held && !s.lock.intent.base_copy.empty()) named_bases.insert(s.lock.intent.base_copy);
  for (const auto& obj : s.objects) {
    const std::string base(BaseName(obj.key));
    const std::string uri = s.store->Uri(obj.key);
    auto name = ParseStateObjectName(base);
    auto keep = [&](const std::string& why) { plan.kept.push_back(uri + " (" + why + ")"); };
    if (!name) {
      keep("not a pack state object");
      continue;
    }
    const int64_t g = name->generation;
    switch (name->kind) {
      case StateObjectKind::kCommit:
        keep(g == s.max_commit ? "the latest commit" : "a commit: the table's history");
        break;
      case StateObjectKind::kIntent: {
        if (g == s.max_intent) {
          keep(s.lock.held ? "the lock: the latest run, not committed" : "the latest intent");
          break;
        }
        if (g > s.max_commit) {
          keep("a run after the latest commit");
          break;
        }
        // Past its own lease: a run it took over from has seen that (txlog/lease.h).  Parse
        // failures keep it.
        auto text = s.intents->Read(g);
        auto intent = text.ok() ? ParseIntent(*text, uri) : Result<Intent>(text.status());
        if (!intent.ok() || now <= LeaseExpiryMs(*intent, nullptr)) {
          keep(intent.ok() ? "within its lease" : "unreadable: " + intent.status().ToString());
          break;
        }
        plan.remove.push_back(obj.key);
        break;
      }
      case StateObjectKind::kLease:
      case StateObjectKind::kUnlock:
        if (g >= s.max_intent && g > s.max_commit) {
          keep("of the latest run, not committed");
        } else {
          plan.remove.push_back(obj.key);
        }
        break;
      case StateObjectKind::kBase:
        if (named_bases.count(base)) {
          keep("the uncommitted run's copy of the latest file's original bytes");
        } else if (g > latest_run) {
          keep("of a run that is starting");
        } else {
          plan.remove.push_back(obj.key);
        }
        break;
    }
  }
  std::sort(plan.remove.begin(), plan.remove.end());
  return plan;
}

void WriteLockJson(JsonWriter& w, const PackLockInfo& l) {
  w.BeginObject();
  w.Key("held").Bool(l.held);
  w.Key("state").String(l.state);
  if (l.held) {
    w.Key("generation").Int(l.generation);
    w.Key("owner").BeginObject();
    w.Key("host").String(l.owner_host).Key("pid").Int(l.owner_pid);
    w.Key("boot_id").String(l.owner_boot_id);
    w.EndObject();
    w.Key("since").String(IsoTime(l.since_ms));
    w.Key("since_ms").Int(l.since_ms);
    if (l.expiry_ms == INT64_MAX) {
      w.Key("expires").Null();
    } else {
      w.Key("expires").String(IsoTime(l.expiry_ms));
    }
    w.Key("live").Bool(l.live);
    w.Key("owner_dead").Bool(l.owner_dead);
    w.Key("unlocked").Bool(l.unlocked);
    w.Key("recovers").Int(l.recovers);
  }
  w.EndObject();
}

std::string LockText(const PackLockInfo& l) {
  if (!l.held) return "none";
  std::string s = "run " + std::to_string(l.generation) + " (host " + l.owner_host + ", pid " +
                  std::to_string(l.owner_pid) + ", since " + IsoTime(l.since_ms) + "): " + l.state;
  if (l.live) {
    s += l.expiry_ms == INT64_MAX
             ? ", its lease has no computable expiry"
             : ", its lease expires at " + IsoTime(l.expiry_ms) + " unless renewed";
  } else if (!l.unlocked) {
    s += "; the next pack run recovers it";
  }
  return s;
}

}  // namespace

Status PackStateOptions::Validate() const {
  if (output_base.empty()) return Status::InvalidArgument("pack: OUTPUT_BASE is empty");
  return ValidateOutputNames(table, suffix, out_ext, partition);
}

Result<PackStatusReport> PackStatus(const PackStateOptions& options) {
  LP_ASSIGN_OR_RETURN(StateDir s, OpenState(options));
  PackStatusReport r;
  r.state_uri = s.store->Uri(s.prefix);
  for (const auto& obj : s.objects) {
    auto name = ParseStateObjectName(BaseName(obj.key));
    if (!name) continue;
    switch (name->kind) {
      case StateObjectKind::kIntent:
        r.intents.push_back(name->generation);
        break;
      case StateObjectKind::kCommit:
        r.commits.push_back(name->generation);
        break;
      case StateObjectKind::kLease:
        ++r.leases;
        break;
      case StateObjectKind::kBase:
        ++r.base_copies;
        break;
      case StateObjectKind::kUnlock:
        ++r.unlocks;
        break;
    }
  }
  std::sort(r.intents.begin(), r.intents.end());
  std::sort(r.commits.begin(), r.commits.end());
  r.lock = LockInfoOf(s.lock);
  r.last_generation = s.last.generation;
  r.last_created_ms = s.last.created_ms;
  for (const auto& p : s.last.packed) {
    r.packed_inputs.push_back(p.uri);
    r.packed_input_bytes += p.size;
  }
  for (const auto& f : s.last.files) r.files.push_back({f.name, f.rows, f.size});
  for (const auto& key : PlanGc(s).remove) r.garbage.push_back(s.store->Uri(key));
  return r;
}

Result<PackUnlockReport> PackUnlock(const PackStateOptions& options,
                                    const PackUnlockOptions& unlock) {
  LP_ASSIGN_OR_RETURN(StateDir s, OpenState(options));
  PackUnlockReport r;
  r.lock = LockInfoOf(s.lock);
  const std::string where = s.store->Uri(s.prefix);
  if (!r.lock.held) {
    r.message = "not locked: no run is in progress or crashed (" + where + ")";
    return r;
  }
  if (r.lock.unlocked) {
    r.message = "run " + std::to_string(r.lock.generation) +
                " was unlocked already; the next pack run recovers it";
    return r;
  }
  const std::string lock = "the lock of " + LockText(r.lock);
  if (r.lock.live && !unlock.force) {
    return Status::InvalidArgument(
        "pack --unlock: not unlocking " + lock +
        ". Its owner may still be working: a packer on another host keeps its lease while it "
        "runs. Wait for it (pack --wait), or, only if you know that process is gone (e.g. its "
        "machine is down), give --force --yes; that run then stops at its next lease renewal and "
        "the next pack run recovers the table");
  }
  if (!unlock.confirmed) {
    return Status::InvalidArgument("pack --unlock: " + lock + "; give --yes" +
                                   (r.lock.live ? " (with --force)" : std::string()) +
                                   " to release it, so the next pack run recovers the table " +
                                   "(deletes that run's partial files, keeps every committed row)");
  }
  UnlockRecord rec;
  rec.generation = r.lock.generation;
  rec.by = ThisProcessOwner();
  rec.created_ms = NowUnixMs();
  rec.forced = r.lock.live;
  const std::string key = s.prefix + UnlockName(rec.generation);
  Status put = txlog::PutOnce(*s.store, key, ToJson(rec));
  if (!put.ok() && !put.IsAlreadyExists()) return put;
  r.unlocked = put.ok();
  r.message = put.ok() ? "unlocked " + lock + " (" + s.store->Uri(key) +
                             "); the next pack run recovers the table"
                       : "run " + std::to_string(rec.generation) +
                             " was unlocked already (at the same time); the next pack run "
                             "recovers it";
  return r;
}

Result<PackGcReport> PackGc(const PackStateOptions& options, const PackGcOptions& gc) {
  LP_ASSIGN_OR_RETURN(StateDir s, OpenState(options));
  GcPlan plan = PlanGc(s);
  PackGcReport r;
  r.dry_run = gc.dry_run;
  for (const auto& key : plan.remove) r.removed.push_back(s.store->Uri(key));
  r.kept = std::move(plan.kept);
  if (!gc.dry_run && !plan.remove.empty()) LP_RETURN_NOT_OK(s.store->Delete(plan.remove));
  return r;
}

std::string PackStatusReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("state").String(state_uri);
  w.Key("intents").BeginArray();
  for (int64_t g : intents) w.Int(g);
  w.EndArray();
  w.Key("commits").BeginArray();
  for (int64_t g : commits) w.Int(g);
  w.EndArray();
  w.Key("leases").Int(leases).Key("base_copies").Int(base_copies).Key("unlocks").Int(unlocks);
  w.Key("lock");
  WriteLockJson(w, lock);
  w.Key("last_commit");
  if (last_generation < 0) {
    w.Null();
  } else {
    w.BeginObject();
    w.Key("generation").Int(last_generation);
    w.Key("created").String(IsoTime(last_created_ms));
    w.Key("inputs_packed").Int(static_cast<int64_t>(packed_inputs.size()));
    w.Key("input_bytes").Int(packed_input_bytes);
    w.Key("inputs").BeginArray();
    for (const auto& in : packed_inputs) w.String(in);
    w.EndArray();
    w.Key("files").BeginArray();
    for (const auto& f : files) {
      w.BeginObject().Key("name").String(f.name).Key("rows").Int(f.rows);
      w.Key("bytes").Int(f.bytes).EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.Key("garbage").BeginArray();
  for (const auto& g : garbage) w.String(g);
  w.EndArray();
  w.EndObject();
  return w.str();
}

std::string PackStatusReport::ToText() const {
  auto gens = [](const std::vector<int64_t>& v) {
    if (v.empty()) return std::string("none");
    std::string s = std::to_string(v.size()) + " (" + std::to_string(v.front());
    if (v.size() > 1) s += (v.size() > 2 ? ".." : ", ") + std::to_string(v.back());
    return s + ")";
  };
  std::string s = "state:    " + state_uri + "\n";
  s += "intents:  " + gens(intents) + "\ncommits:  " + gens(commits) + "\n";
  s += "lock:     " + LockText(lock) + "\n";
  if (last_generation < 0) {
    s += "last run: none committed\n";
  } else {
    int64_t rows = 0, bytes = 0;
    for (const auto& f : files) {
      rows += f.rows;
      bytes += f.bytes;
    }
    s += "last run: " + std::to_string(last_generation) + ", committed " +
         IsoTime(last_created_ms) + "\n";
    s += "inputs:   " + std::to_string(packed_inputs.size()) + " packed (" +
         std::to_string(packed_input_bytes) + " bytes)\n";
    s += "files:    " + std::to_string(files.size()) + " (" + std::to_string(rows) + " rows, " +
         std::to_string(bytes) + " bytes)\n";
    for (const auto& f : files) {
      s += "  " + f.name + "  " + std::to_string(f.rows) + " rows  " + std::to_string(f.bytes) +
           " bytes\n";
    }
  }
  s += "garbage:  " + std::to_string(garbage.size()) + " state object(s)" +
       (garbage.empty() ? std::string() : " (`lakepack pack --gc` lists them)") + "\n";
  return s;
}

std::string PackUnlockReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("unlocked").Bool(unlocked);
  w.Key("message").String(message);
  w.Key("lock");
  WriteLockJson(w, lock);
  w.EndObject();
  return w.str();
}

std::string PackGcReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("dry_run").Bool(dry_run);
  w.Key("removed").BeginArray();
  for (const auto& u : removed) w.String(u);
  w.EndArray();
  w.Key("kept").BeginArray();
  for (const auto& u : kept) w.String(u);
  w.EndArray();
  w.EndObject();
  return w.str();
}

std::string PackGcReport::ToText() const {
  std::string s;
  for (const auto& u : removed) s += (dry_run ? "would remove " : "removed ") + u + "\n";
  s += (dry_run ? "dry run: would remove " : "removed ") + std::to_string(removed.size()) +
       " state object(s), kept " + std::to_string(kept.size()) +
       (dry_run && !removed.empty() ? "; give --yes to remove them" : "") + "\n";
  return s;
}

}  // namespace lakepack::pack
