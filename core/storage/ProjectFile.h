#pragma once
#include "core/ProjectTypes.h"
#include "core/storage/Sqlite.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ds {

struct AddImageResult {
    std::int64_t id;
    bool inserted; // false: an image with the same sha256 existed, id is that one's
};

// True when file is the project's database file or one of SQLite's files beside it (-wal,
// -shm, -journal), under any spelling (symlink, relative path); looks at file names and
// inodes only. Such a file must never be opened other than through SQLite: closing any
// descriptor of it drops every POSIX lock this process holds on it, those of its open
// connections included, and another process may then checkpoint and delete the log
// under them (SQLite's "How To Corrupt An SQLite Database File", 2.2).
bool isProjectDatabaseFile(const std::string& file, const std::string& projectPath);

// A DefectScope project: one SQLite file (.dsproj) holding the imported images (by path
// and content hash), ground-truth masks, trained models, inspection runs with their
// per-image results and heatmaps, and GUI view settings.
//
// Threads: a ProjectFile owns one SQLite connection and must only be used from the thread
// that opened it. A worker thread opens its own ProjectFile on the same path; the file is
// in WAL mode, so readers never block the writer, and a writer waits up to 5 s for another
// writer's transaction (keep transactions short).
//
// Writes: every method that writes is atomic. Transaction groups several calls into one
// atomic unit (and is much faster for many small writes).
//
// Errors: ds::InputError when the file is not a DefectScope project, is damaged, or comes
// from a newer DefectScope; ds::Error for everything else (disk full, read-only file,
// constraint violations such as a result for a missing image). Messages name the file and
// include sqlite's message.
class ProjectFile {
public:
    // Opens an existing project, migrating it to the current schema version if older.
    static ProjectFile open(const std::string& path);
    // As open(), but creates an empty project when the file does not exist (or is empty).
    static ProjectFile openOrCreate(const std::string& path);
    // Opens an existing project to read it only (listing, reports, exports): works on a
    // write-protected file or folder. Nothing is migrated or marked (a run whose writer died
    // still reads as Interrupted); an older project must first be opened with open(). Any
    // write fails with ds::Error.
    static ProjectFile openForReading(const std::string& path);

    ProjectFile(ProjectFile&&) noexcept;
    ProjectFile& operator=(ProjectFile&&) noexcept;
    ~ProjectFile();

    const std::string& path() const;
    // PRAGMA user_version; equals schema::currentVersion() once opened.
    int schemaVersion() const;

    // Skips an image whose sha256 is already in the project (in any split: the same
    // picture in train and test would leak) and returns the existing id.
    AddImageResult addImage(const ImageRecord& image);
    // All images, or those of one split, ordered by id.
    std::vector<ImageRecord> images(std::optional<Split> split = std::nullopt) const;
    std::optional<ImageRecord> image(std::int64_t imageId) const;

    // mask: CV_8UC1 at the image's width x height, stored losslessly (PNG), replacing any
    // earlier mask. Throws ds::InputError when the size does not match the image. Not
    // recorded in the audit trail: imports use it; a person's edits go through saveMaskEdit.
    void setMask(std::int64_t imageId, const cv::Mat& mask);
    // The stored CV_8UC1 mask, or an empty Mat when the image has none.
    cv::Mat mask(std::int64_t imageId) const;

    // Moves images to another split, all or none. Throws ds::InputError for an unknown id.
    void setSplit(const std::vector<std::int64_t>& imageIds, Split split);

    // Defect types, ordered by id.
    std::vector<DefectType> defectTypes() const;
    // Takes the lowest free id and returns it. Throws ds::InputError for an empty name, a
    // name already used or reserved (kGoodLabel, kUntypedDefectName), a colour other than
    // "#rrggbb" (stored in lower case), or when all 254 ids are used.
    int addDefectType(const std::string& name, const std::string& color);
    // Renames / recolours type.id; images labelled with the old name take the new one.
    // ds::InputError as addDefectType, or for an unknown id.
    void updateDefectType(const DefectType& type);
    // Its regions in every mask and mask-edit snapshot become kUntypedDefect (its id may be
    // handed out again), atomically. Images labelled with its name keep that label. No-op
    // for an unknown id.
    void deleteDefectType(int id);

    // Appends a verdict to the image's audit trail and returns its id. Throws
    // ds::InputError for an unknown image.
    std::int64_t addReview(const ReviewRecord& review);
    // The image's reviews, oldest first.
    std::vector<ReviewRecord> reviews(std::int64_t imageId) const;
    // Image id -> its current human verdict (its newest review, Unsure included), for every
    // reviewed image.
    std::map<std::int64_t, ReviewRecord> latestReviews() const;

    // Replaces the image's mask (CV_8UC1 at the image's size, values as kUntypedDefect
    // describes; an all-zero mask removes it) and appends the edit, with a snapshot of the
    // new mask, to the audit trail: atomically. Returns the edit's id. ds::InputError for a
    // wrong size/type or an unknown image.
    std::int64_t saveMaskEdit(const MaskEditRecord& edit, const cv::Mat& mask);
    // The image's mask edits, oldest first.
    std::vector<MaskEditRecord> maskEdits(std::int64_t imageId) const;
    // The mask as that edit left it (an all-zero Mat at the image's size when it removed
    // the mask). Throws ds::Error for an unknown edit id.
    cv::Mat maskEditSnapshot(std::int64_t editId) const;

    std::int64_t addModel(const ModelRecord& model);
    // All models ordered by id, without their state (see modelState).
    std::vector<ModelRecord> models() const;
    // One model as models() lists it (without its state), or nullopt for an unknown id.
    std::optional<ModelRecord> model(std::int64_t modelId) const;
    std::vector<std::uint8_t> modelState(std::int64_t modelId) const;
    // Deletes the model with its runs and results; no-op for an unknown id.
    void deleteModel(std::int64_t modelId);

    // Runs: beginRun() records a run with status Running; the job then adds results one
    // by one (each write is atomic, so other connections see progress) and ends with
    // finishRun(Done). A job that fails or is cancelled calls discardRun(), which removes
    // the run and every result written for it, so nothing half-written stays behind (the
    // discarded run id is never reused). A run left Running by a process that died (kill,
    // crash, power cut) is marked Interrupted when the project is next opened on this
    // machine; resumeRun() takes it up again.
    std::int64_t beginRun(std::int64_t modelId, double threshold);
    // Back to Running, owned by this process. ds::InputError unless it is Interrupted.
    void resumeRun(std::int64_t runId);
    // Every model's interrupted runs, oldest first.
    std::vector<RunRecord> interruptedRuns() const;
    // Results stored for the run, without reading them.
    int resultCount(std::int64_t runId) const;
    void addResult(const ResultRecord& result);
    // status: Done, Failed, Cancelled or Interrupted; also sets finishedAt and msPerImage (see RunRecord).
    void finishRun(std::int64_t runId, RunStatus status, std::optional<double> msPerImage = std::nullopt);
    // Deletes the run and its results; no-op for an unknown id.
    void discardRun(std::int64_t runId);
    std::vector<RunRecord> runs(std::int64_t modelId) const;
    // The model's newest run that finished (status Done): the one its results are shown from.
    std::optional<RunRecord> latestDoneRun(std::int64_t modelId) const;
    std::optional<RunRecord> run(std::int64_t runId) const;

    enum class Heatmaps { Skip, Load };
    // Results ordered by image id; with Heatmaps::Skip, heatmap is left empty (listing a
    // run without decoding every map) but heatmapMin / heatmapMax are filled.
    std::vector<ResultRecord> results(std::int64_t runId, Heatmaps heatmaps) const;
    // One result's heatmap, or an empty Mat when there is none.
    cv::Mat heatmap(std::int64_t runId, std::int64_t imageId) const;

    // Writes a consistent snapshot of the project (everything committed so far, compacted)
    // to `path`, for File → Save As; this ProjectFile stays on its own file. The copy is
    // written under a temporary name next to `path` and renamed over it once complete, so
    // `path` holds either what it held before or the whole copy. Throws ds::Error, leaving
    // nothing behind, when `path` is this project's own file, is in use by another
    // connection, or cannot be written (unwritable folder, disk full).
    void saveCopyAs(const std::string& path) const;

    // Free-form key/value view state, e.g. "view/threshold/<modelId>", "view/lastImageId".
    void setSetting(const std::string& key, const std::string& value);
    std::optional<std::string> setting(const std::string& key) const;
    // The threshold a person chose for a model (setting "view/threshold/<modelId>"), in
    // score units; nullopt when none was chosen or the stored value is not a finite number.
    std::optional<double> chosenThreshold(std::int64_t modelId) const;
    void setChosenThreshold(std::int64_t modelId, double threshold);

    // Groups writes atomically: rolled back by the destructor unless commit() was called
    // (also when an exception leaves the scope). Transactions nest.
    //     ProjectFile::Transaction transaction(project);
    //     for (...) project.addImage(...);
    //     transaction.commit();
    class Transaction {
    public:
        explicit Transaction(ProjectFile& project);
        void commit();

    private:
        SqliteTransaction transaction_;
    };

private:
    explicit ProjectFile(std::unique_ptr<SqliteConnection> connection);
    static ProjectFile openPath(const std::string& path, bool mayCreate);
    // The connection, checked (in debug builds) to be used from its owning thread.
    SqliteConnection& connection() const;

    std::unique_ptr<SqliteConnection> connection_;
    std::thread::id ownerThread_;
};

} // namespace ds
