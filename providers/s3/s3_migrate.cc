// `run s3.migrate` (see s3_migrate.h): the phases of one migration.
//
//   Prepare  open the progress manifest (one per migration, found again by its identity);
//            the first time, back up into the BlobStore every destination document the
//            migration will overwrite, then mark the manifest prepared.
//   Apply    list the source; in parallel (one session per worker and store): skip what the
//            manifest says is verified and the destination still confirms; else mark
//            "copying", copy, read the checksum back from the destination, mark "done".
//            Only when every document is verified, and only with delete_source, delete the
//            sources. A crash or an interruption loses nothing: the next Apply resumes.
//   Reverse  for every document copied (or being copied): put a deleted source back from
//            the destination, verified; then restore the destination's previous document
//            from its blob, or delete it. Idempotent; the manifest is removed at the end.
//
// The manifest lives in the folder of BlobStore::NewTempPath (the state store's own file
// system), named after a hash of the migration's identity (from, to, table and columns), so
// re-running the same migration, in the same run or a later one, skips what is verified.
// After a successful Apply a copy also goes into the BlobStore, and the refined undo record
// names it, so a later rollback does not depend on the temporary folder.
#include "providers/s3/s3_migrate.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "providers/s3/s3_config.h"
#include "providers/s3/s3_digest.h"
#include "providers/s3/s3_manifest.h"
#include "providers/s3/s3_stores.h"

namespace upgrade::s3 {
namespace {

namespace fs = std::filesystem;

/// The evaluated attributes of one `run s3.migrate`.
struct Spec {
  std::string from;
  std::string to;
  bool delete_source = false;
  bool verify = true;
  int parallel = 8;
  std::string identity;  ///< hex SHA-256 of what names the migration
};

bool SpecOf(const Value::Map& config, Spec* spec, std::string* error) {
  spec->from = StringAttribute(config, "from");
  spec->to = StringAttribute(config, "to");
  if (spec->from.empty() || spec->to.empty()) {
    *error = "s3.migrate needs `from` and `to`";
    return false;
  }
  if (spec->to.rfind("postgres", 0) == 0) {
    *error = "s3.migrate: `to` must be s3://bucket/prefix or a local directory";
    return false;
  }
  spec->delete_source = BoolAttribute(config, "delete_source", false);
  spec->verify = BoolAttribute(config, "verify", true);
  auto parallel = config.find("parallel");
  if (parallel != config.end() && parallel->second.is_number())
    spec->parallel = std::max(1, static_cast<int>(parallel->second.as_number()));
  spec->identity = Sha256HexOf(spec->from + "\n" + spec->to + "\n" +
                               StringAttribute(config, "table") + "\n" +
                               StringAttribute(config, "key_column", "id") + "\n" +
                               StringAttribute(config, "body_column", "body"));
  return true;
}

std::string ManifestPath(ProviderContext& context, const std::string& identity) {
  fs::path folder = fs::path(context.blobs->NewTempPath()).parent_path();
  return (folder / ("s3-migrate-" + identity.substr(0, 32) + ".jsonl")).string();
}

std::string FormatBytes(long long bytes) {
  char text[32];
  if (bytes >= (1LL << 30)) std::snprintf(text, sizeof text, "%.1f GB", bytes / 1073741824.0);
  else if (bytes >= (1LL << 20)) std::snprintf(text, sizeof text, "%.1f MB", bytes / 1048576.0);
  else if (bytes >= 1024) std::snprintf(text, sizeof text, "%.1f KB", bytes / 1024.0);
  else std::snprintf(text, sizeof text, "%lld B", bytes);
  return text;
}

/// Counts documents and bytes from many workers; tells ProviderContext::progress at most
/// every 100 ms, and once more at the end.
class Progress {
 public:
  Progress(ProviderContext& context, std::string verb, size_t total)
      : context_(context), verb_(std::move(verb)), total_(total) {}

  void Add(long long bytes, bool skipped) {
    done_ += 1;
    bytes_ += bytes;
    if (skipped) skipped_ += 1;
    auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    if (now - last_ >= std::chrono::milliseconds(100)) {
      last_ = now;
      Report();
    }
  }
  void Finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    Report();
  }
  size_t done() const { return done_; }
  size_t skipped() const { return skipped_; }
  long long bytes() const { return bytes_; }

 private:
  void Report() {
    if (!context_.progress) return;
    std::string text = "s3.migrate: " + verb_ + " " + std::to_string(done_.load()) + " of " +
                       std::to_string(total_) + " documents, " + FormatBytes(bytes_);
    if (skipped_ > 0) text += " (" + std::to_string(skipped_.load()) + " already verified)";
    context_.progress(text);
  }

  ProviderContext& context_;
  std::string verb_;
  size_t total_;
  std::atomic<size_t> done_{0};
  std::atomic<size_t> skipped_{0};
  std::atomic<long long> bytes_{0};
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
};

/// One worker's sessions on both stores.
struct Sessions {
  std::unique_ptr<StoreSession> from;
  std::unique_ptr<StoreSession> to;
};

/// Runs `work(sessions, i)` for i in [0, count) on `parallel` threads, each with its own
/// sessions. Stops handing out work at the first failure or when the operator interrupts;
/// returns the first error ("" when all went well).
std::string RunWorkers(Store& from, Store& to, size_t count, int parallel,
                       const std::atomic<bool>* cancelled,
                       const std::function<bool(Sessions&, size_t, std::string*)>& work) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::string first_error;
  auto fail = [&](const std::string& error) {
    std::lock_guard<std::mutex> lock(mutex);
    if (first_error.empty()) first_error = error;
    failed = true;
  };
  auto worker = [&] {
    Sessions sessions;
    std::string error;
    sessions.from = from.Connect(&error);
    if (sessions.from) sessions.to = to.Connect(&error);
    if (!sessions.to) return fail(error);
    while (!failed) {
      if (cancelled != nullptr && cancelled->load()) return fail("interrupted");
      size_t i = next++;
      if (i >= count) return;
      if (!work(sessions, i, &error)) return fail(error);
    }
  };
  int threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(parallel), count));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& thread : pool) thread.join();
  return first_error;
}

/// The stores and the manifest of one migration, opened.
struct Opened {
  Spec spec;
  std::unique_ptr<Store> from;
  std::unique_ptr<Store> to;
  Manifest manifest;
};

bool Open(const Value::Map& config, const std::string& manifest_path,
          const std::string& base_dir, Opened* opened, std::string* error) {
  if (!SpecOf(config, &opened->spec, error)) return false;
  opened->from = MakeStore(opened->spec.from, config, base_dir, error);
  if (!opened->from) return false;
  opened->to = MakeStore(opened->spec.to, config, base_dir, error);
  if (!opened->to) return false;
  return opened->manifest.Open(manifest_path, opened->spec.identity, error);
}

/// Copies the bytes of `reader` into a new blob; its name, or nullopt with `*error`.
std::optional<std::string> BackUp(const RangeReader& reader, long long size,
                                  ProviderContext& context, std::string* error) {
  std::string temp = context.blobs->NewTempPath();
  std::FILE* file = std::fopen(temp.c_str(), "wb");
  if (file == nullptr) {
    *error = "s3.migrate: cannot write " + temp;
    return std::nullopt;
  }
  std::string bytes;
  const long long kPiece = 8LL << 20;
  bool ok = true;
  for (long long offset = 0; ok && offset < size; offset += kPiece) {
    ok = reader(offset, std::min(kPiece, size - offset), &bytes, error) &&
         std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  }
  ok = std::fclose(file) == 0 && ok;
  if (!ok) {
    if (error->empty()) *error = "s3.migrate: cannot write " + temp;
    std::remove(temp.c_str());
    return std::nullopt;
  }
  return context.blobs->AdoptFile(temp, error);
}

bool Accepted(const Written& written, const std::string& checksum) {
  return std::find(written.accepted.begin(), written.accepted.end(), checksum) !=
         written.accepted.end();
}

std::string Failed(const Opened& opened, const std::string& error) {
  return "s3.migrate " + opened.from->Describe() + " -> " + opened.to->Describe() + ": " + error;
}

}  // namespace

ActionSchema MigrateSchema() {
  ActionSchema schema;
  schema.type = "s3.migrate";
  schema.description =
      "copy every document from one store to another, verified, resumable; reversed by "
      "putting everything back";
  // A migration reverses itself (it migrates back) whenever it has a destination, which is
  // always: naming the required `to` as its undo attribute makes every `run` reversible.
  schema.undo_attribute = "to";
  schema.attributes = {
      {"from", AttrType::kString, true, false, false, false, false,
       "s3://bucket/prefix, a local directory, or postgresql://... with `table`"},
      {"to", AttrType::kString, true, false, false, false, false,
       "s3://bucket/prefix or a local directory"},
      {"delete_source", AttrType::kBool, false, false, false, false, false,
       "delete each source document once every document is verified (default false)"},
      {"verify", AttrType::kBool, false, false, false, false, false,
       "read each checksum back from the destination (default true)"},
      {"table", AttrType::kString, false, false, false, false, false,
       "the PostgreSQL table of documents (schema.table allowed)"},
      {"key_column", AttrType::kString, false, false, false, false, false,
       "the column naming each document (default id)"},
      {"body_column", AttrType::kString, false, false, false, false, false,
       "the column holding each document, text or bytea (default body)"},
      {"parallel", AttrType::kNumber, false, false, false, false, false,
       "documents copied at once (default 8)"},
      {"part_size_mb", AttrType::kNumber, false, false, false, false, false,
       "multipart part size; bigger documents go in parts of this size (default 8)"},
  };
  for (AttributeSchema& attribute : ConnectionAttributes()) schema.attributes.push_back(attribute);
  return schema;
}

PrepareResult PrepareMigration(const Operation& operation, ProviderContext& context) {
  PrepareResult result;
  if (context.blobs == nullptr) {
    result.error = "s3.migrate: no state store to keep its progress in";
    return result;
  }
  Spec spec;
  if (!SpecOf(operation.resource.config, &spec, &result.error)) return result;
  std::string path = ManifestPath(context, spec.identity);
  Opened opened;
  if (!Open(operation.resource.config, path, context.base_dir, &opened, &result.error))
    return result;
  result.undo = Value(Value::Map{{"manifest", path}, {"identity", spec.identity}});
  if (opened.manifest.prepared()) return result;  // an earlier run of this migration

  std::string error;
  bool local_source = spec.from.find("://") == std::string::npos ||
                      spec.from.rfind("file://", 0) == 0;
  std::error_code code;
  if (local_source && !fs::is_directory(opened.from->Describe(), code)) {
    result.error = Failed(opened, "the source directory does not exist");
    return result;
  }
  std::unique_ptr<StoreSession> from = opened.from->Connect(&error);
  std::unique_ptr<StoreSession> to = from ? opened.to->Connect(&error) : nullptr;
  std::vector<Document> sources;
  std::vector<Document> existing;
  if (!to || !from->List(&sources, &error) || !to->List(&existing, &error)) {
    result.error = Failed(opened, error);
    return result;
  }
  std::map<std::string, long long> source_keys;
  for (const Document& document : sources) source_keys[document.key] = document.size;
  // What the migration will overwrite is kept, so its reverse can put it back.
  for (const Document& document : existing) {
    if (!source_keys.count(document.key)) continue;
    std::optional<std::string> blob =
        BackUp(to->Reader(document.key, document.size), document.size, context, &error);
    if (!blob || !opened.manifest.AddPre(document.key, *blob)) {
      result.error = Failed(opened, error.empty() ? "cannot write the manifest" : error);
      return result;
    }
  }
  if (!opened.manifest.MarkPrepared()) result.error = Failed(opened, "cannot write the manifest");
  return result;
}

namespace {

/// The destination's documents by key, from one listing; empty when its listings carry no
/// checksums (a directory), and then each document is checked on its own.
using Listing = std::map<std::string, Document>;

bool ListDestination(StoreSession& to, Listing* listing, std::string* error) {
  listing->clear();
  if (!to.ListsChecksums()) return true;
  std::vector<Document> documents;
  if (!to.List(&documents, error)) return false;
  for (Document& document : documents) (*listing)[document.key] = std::move(document);
  return true;
}

/// True when the destination still holds `document` as the manifest recorded it.
bool StillThere(Sessions& sessions, const Document& document, const ManifestEntry& entry,
                const Listing& listing, bool* there, std::string* error) {
  *there = false;
  if (!entry.done || entry.size != document.size) return true;
  if (sessions.to->ListsChecksums()) {
    auto listed = listing.find(document.key);
    *there = listed != listing.end() && listed->second.checksum == entry.checksum;
    return true;
  }
  bool exists = false;
  std::string checksum;
  if (!sessions.to->Checksum(document.key, &exists, &checksum, error)) return false;
  *there = exists && checksum == entry.checksum;
  return true;
}

/// Copies one document unless the manifest and the destination agree it is there already.
/// A destination whose listings carry checksums (s3) is verified after the copy, by listing
/// (VerifyByListing); others are read back here, document by document.
bool CopyOne(Opened& opened, Sessions& sessions, const Document& document,
             const std::map<std::string, ManifestEntry>& known, const Listing& listing,
             Progress& progress, std::string* error) {
  auto entry = known.find(document.key);
  bool there = false;
  if (entry != known.end() &&
      !StillThere(sessions, document, entry->second, listing, &there, error))
    return false;
  if (there) {
    progress.Add(document.size, true);
    return true;
  }
  if (!opened.manifest.MarkCopying(document.key)) {
    *error = "cannot write the manifest";
    return false;
  }
  Written written;
  if (!sessions.to->Write(document.key, document.size,
                          sessions.from->Reader(document.key, document.size), &written, error))
    return false;
  std::string checksum = written.answered;
  bool read_back = opened.spec.verify && !sessions.to->ListsChecksums();
  if (read_back) {
    bool exists = false;
    if (!sessions.to->Checksum(document.key, &exists, &checksum, error)) return false;
    if (!exists) checksum = "(missing)";
  }
  if (!Accepted(written, checksum)) {
    *error = document.key + ": the checksum " + (read_back ? "read back" : "answered") +
             " is \"" + checksum + "\", expected \"" + written.accepted.front() + "\"";
    return false;
  }
  if (!opened.manifest.MarkDone(document.key, document.size, checksum)) {
    *error = "cannot write the manifest";
    return false;
  }
  progress.Add(document.size, false);
  return true;
}

/// Reads every document's checksum back from the destination in a few listing requests and
/// compares it with what the manifest recorded when the document was written.
std::string VerifyByListing(Opened& opened, StoreSession& to,
                            const std::vector<Document>& documents) {
  Listing listing;
  std::string error;
  if (!ListDestination(to, &listing, &error)) return error;
  std::map<std::string, ManifestEntry> known = opened.manifest.entries();
  std::vector<std::string> wrong;
  for (const Document& document : documents) {
    auto listed = listing.find(document.key);
    const ManifestEntry& entry = known[document.key];
    if (listed == listing.end() || listed->second.checksum != entry.checksum ||
        listed->second.size != document.size)
      wrong.push_back(document.key);
  }
  if (wrong.empty()) return "";
  std::string text = std::to_string(wrong.size()) +
                     " documents do not read back from the destination as written:";
  for (size_t i = 0; i < wrong.size() && i < 5; ++i) text += " " + wrong[i];
  return text + (wrong.size() > 5 ? " ..." : "");
}

/// Deletes the sources of every document, all of them being verified at the destination.
std::string DeleteSources(Opened& opened, const std::vector<Document>& documents,
                          ProviderContext& context) {
  std::map<std::string, ManifestEntry> known = opened.manifest.entries();
  Progress progress(context, "deleted the sources of", documents.size());
  std::string error = RunWorkers(
      *opened.from, *opened.to, documents.size(), opened.spec.parallel, context.cancelled,
      [&](Sessions& sessions, size_t i, std::string* failure) {
        const Document& document = documents[i];
        if (!known[document.key].deleted) {
          if (!sessions.from->Delete(document.key, failure)) return false;
          if (!opened.manifest.MarkDeleted(document.key)) {
            *failure = "cannot write the manifest";
            return false;
          }
        }
        progress.Add(document.size, false);
        return true;
      });
  progress.Finish();
  return error;
}

/// A copy of the manifest in the BlobStore, named in the refined undo record.
Value RefinedUndo(const Opened& opened, const Value& undo, ProviderContext& context) {
  Value::Map refined = undo.is_map() ? undo.as_map() : Value::Map{};
  std::string temp = context.blobs->NewTempPath();
  std::error_code code;
  fs::copy_file(opened.manifest.path(), temp, fs::copy_options::overwrite_existing, code);
  std::string ignored;
  std::optional<std::string> blob = code ? std::nullopt : context.blobs->AdoptFile(temp, &ignored);
  if (blob) refined["manifest_blob"] = *blob;
  return Value(refined);
}

}  // namespace

ApplyResult ApplyMigration(const Operation& operation, const Value& undo,
                           ProviderContext& context) {
  ApplyResult result;
  Opened opened;
  std::string path = undo.GetString("manifest");
  if (context.blobs == nullptr || path.empty()) {
    result.error = "s3.migrate: no progress manifest in the undo record";
    return result;
  }
  if (!Open(operation.resource.config, path, context.base_dir, &opened, &result.error))
    return result;
  if (!opened.manifest.prepared()) {
    result.error = Failed(opened, "the manifest " + path + " was never prepared");
    return result;
  }
  std::string error;
  std::unique_ptr<StoreSession> lister = opened.from->Connect(&error);
  std::vector<Document> documents;
  if (!lister || !lister->List(&documents, &error)) {
    result.error = Failed(opened, error);
    return result;
  }
  std::unique_ptr<StoreSession> destination = opened.to->Connect(&error);
  Listing listing;
  if (!destination || !ListDestination(*destination, &listing, &error)) {
    result.error = Failed(opened, error);
    return result;
  }
  std::map<std::string, ManifestEntry> known = opened.manifest.entries();
  Progress progress(context, "copied", documents.size());
  error = RunWorkers(*opened.from, *opened.to, documents.size(), opened.spec.parallel,
                     context.cancelled, [&](Sessions& sessions, size_t i, std::string* failure) {
                       return CopyOne(opened, sessions, documents[i], known, listing, progress,
                                      failure);
                     });
  progress.Finish();
  opened.manifest.Sync();
  if (error.empty() && opened.spec.verify && destination->ListsChecksums())
    error = VerifyByListing(opened, *destination, documents);
  if (!error.empty()) {
    result.error = Failed(opened, error + " (" + std::to_string(progress.done()) + " of " +
                                      std::to_string(documents.size()) +
                                      " documents copied; applying again resumes)");
    return result;
  }
  if (opened.spec.delete_source) {
    error = DeleteSources(opened, documents, context);
    opened.manifest.Sync();
    if (!error.empty()) {
      result.error = Failed(opened, "deleting the sources: " + error);
      return result;
    }
  }
  long long copied = static_cast<long long>(progress.done() - progress.skipped());
  result.output = Value(Value::Map{
      {"documents", Value(static_cast<double>(documents.size()))},
      {"copied", Value(static_cast<double>(copied))},
      {"skipped", Value(static_cast<double>(progress.skipped()))},
      {"bytes", Value(static_cast<double>(progress.bytes()))},
      {"deleted", Value(static_cast<double>(opened.spec.delete_source ? documents.size() : 0))},
  });
  result.undo = RefinedUndo(opened, undo, context);
  return result;
}

namespace {

/// Puts one document back: its source (when deleted) from the destination, then the
/// destination's previous document, or nothing.
bool ReverseOne(Opened& opened, Sessions& sessions, const std::string& key,
                const ManifestEntry& entry, const std::map<std::string, std::string>& pre,
                ProviderContext& context, std::string* error) {
  if (entry.deleted || (opened.spec.delete_source && entry.done)) {
    bool exists = false;
    std::string checksum;
    if (!sessions.from->Checksum(key, &exists, &checksum, error)) return false;
    if (!exists) {
      bool at_destination = false;
      std::string ignored;
      if (!sessions.to->Checksum(key, &at_destination, &ignored, error)) return false;
      if (!at_destination) {
        *error = key + " is gone from both the source and the destination";
        return false;
      }
      Written written;
      if (!sessions.from->Write(key, entry.size, sessions.to->Reader(key, entry.size), &written,
                                error) ||
          !sessions.from->Checksum(key, &exists, &checksum, error))
        return false;
      if (!exists || !Accepted(written, checksum)) {
        *error = key + ": the checksum read back from the source is \"" + checksum +
                 "\", expected \"" + written.accepted.front() + "\"";
        return false;
      }
    }
  }
  auto previous = pre.find(key);
  if (previous != pre.end()) {
    std::string blob_path = context.blobs->PathOf(previous->second);
    std::error_code code;
    if (blob_path.empty()) {
      *error = key + ": its previous version's blob " + previous->second + " is missing";
      return false;
    }
    Written written;
    long long size = static_cast<long long>(fs::file_size(blob_path, code));
    if (!sessions.to->Write(key, size, FileRangeReader(blob_path), &written, error))
      return false;
  } else if (!sessions.to->Delete(key, error)) {
    return false;
  }
  if (!opened.manifest.MarkReversed(key)) {
    *error = "cannot write the manifest";
    return false;
  }
  return true;
}

/// Brings the manifest back from the BlobStore when its temporary copy is gone.
void RestoreManifest(const Value& undo, const std::string& path, ProviderContext& context) {
  std::error_code code;
  if (fs::exists(path, code) || undo.GetString("manifest_blob").empty()) return;
  std::string blob_path = context.blobs->PathOf(undo.GetString("manifest_blob"));
  if (blob_path.empty()) return;
  fs::create_directories(fs::path(path).parent_path(), code);
  fs::copy_file(blob_path, path, code);
}

}  // namespace

ReverseResult ReverseMigration(const ReverseRequest& request, ProviderContext& context) {
  ReverseResult result;
  std::string path = request.undo.GetString("manifest");
  if (context.blobs == nullptr || path.empty()) {
    result.error = "s3.migrate: no progress manifest in the undo record";
    return result;
  }
  RestoreManifest(request.undo, path, context);
  std::error_code code;
  if (!fs::exists(path, code)) return result;  // reversed already, or never started
  Opened opened;
  if (!Open(request.resource.config, path, context.base_dir, &opened, &result.error))
    return result;
  std::map<std::string, ManifestEntry> entries = opened.manifest.entries();
  std::map<std::string, std::string> pre = opened.manifest.pre();
  std::vector<std::pair<std::string, ManifestEntry>> touched;
  for (const auto& [key, entry] : entries)
    if ((entry.copying || entry.done) && !entry.reversed) touched.emplace_back(key, entry);
  Progress progress(context, "put back", touched.size());
  std::string error = RunWorkers(
      *opened.from, *opened.to, touched.size(), opened.spec.parallel, context.cancelled,
      [&](Sessions& sessions, size_t i, std::string* failure) {
        if (!ReverseOne(opened, sessions, touched[i].first, touched[i].second, pre, context,
                        failure))
          return false;
        progress.Add(touched[i].second.size, false);
        return true;
      });
  progress.Finish();
  opened.manifest.Sync();
  if (!error.empty()) {
    result.error = Failed(opened, "reversing: " + error);
    return result;
  }
  fs::remove(path, code);
  return result;
}

}  // namespace upgrade::s3
