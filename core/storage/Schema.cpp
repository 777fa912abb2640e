#include "core/storage/Schema.h"

namespace ds::schema {

namespace {

// Base tables. Models and runs use AUTOINCREMENT so the id of a deleted model or a
// discarded run is never handed out again (a view may still hold it).
constexpr const char* kVersion1 = R"sql(
CREATE TABLE images (
    id     INTEGER PRIMARY KEY,
    path   TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    width  INTEGER NOT NULL CHECK (width > 0),
    height INTEGER NOT NULL CHECK (height > 0),
    split  TEXT NOT NULL CHECK (split IN ('train', 'test', 'holdout')),
    label  TEXT NOT NULL CHECK (label <> '')
);
CREATE TABLE masks (
    image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
    png      BLOB NOT NULL
);
CREATE TABLE models (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    method        TEXT NOT NULL,
    params_json   TEXT NOT NULL,
    backbone      TEXT NOT NULL,
    state         BLOB NOT NULL,
    train_seconds REAL NOT NULL,
    n_train       INTEGER NOT NULL,
    threshold     REAL NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE runs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id   INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    status     TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
    threshold  REAL NOT NULL
);
CREATE TABLE results (
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    image_id    INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    score       REAL NOT NULL,
    heatmap_png BLOB,
    heatmap_min REAL,
    heatmap_max REAL,
    threshold   REAL NOT NULL,
    PRIMARY KEY (run_id, image_id)
);
)sql";

// View state for the GUI (user-chosen threshold, last selected image), run end times for
// the run history, and indexes on the foreign-key columns that lookups and ON DELETE
// CASCADE would otherwise scan whole tables for.
constexpr const char* kVersion2 = R"sql(
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
ALTER TABLE runs ADD COLUMN finished_at TEXT;
CREATE INDEX images_by_split ON images(split, id);
CREATE INDEX runs_by_model ON runs(model_id);
CREATE INDEX results_by_image ON results(image_id);
)sql";

// Scoring speed per run, in wall-clock milliseconds per scored image; NULL for runs
// scored before it was recorded.
constexpr const char* kVersion3 = R"sql(
ALTER TABLE runs ADD COLUMN ms_per_image REAL;
)sql";

// The review loop: an image's label may be '' (unknown: nothing says whether it is
// defective), so images is rebuilt without its label CHECK, keeping every id. Defect
// types name the values 1..254 of a mask's pixels. Reviews and mask edits are audit
// trails, appended to and never changed; the model and run a person was shown are kept
// as plain numbers so the trail outlives a deleted model. A mask edit keeps the mask it
// left (PNG; NULL when it removed the mask).
constexpr const char* kVersion4 = R"sql(
CREATE TABLE images_v4 (
    id     INTEGER PRIMARY KEY,
    path   TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    width  INTEGER NOT NULL CHECK (width > 0),
    height INTEGER NOT NULL CHECK (height > 0),
    split  TEXT NOT NULL CHECK (split IN ('train', 'test', 'holdout')),
    label  TEXT NOT NULL
);
INSERT INTO images_v4 (id, path, sha256, width, height, split, label)
    SELECT id, path, sha256, width, height, split, label FROM images;
DROP TABLE images;
ALTER TABLE images_v4 RENAME TO images;
CREATE INDEX images_by_split ON images(split, id);

CREATE TABLE defect_types (
    id    INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 254),
    name  TEXT NOT NULL UNIQUE CHECK (name <> ''),
    color TEXT NOT NULL CHECK (length(color) = 7)
);
CREATE TABLE reviews (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    image_id   INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    verdict    TEXT NOT NULL CHECK (verdict IN ('defect', 'good', 'unsure')),
    reviewer   TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    model_id   INTEGER,
    run_id     INTEGER,
    threshold  REAL
);
CREATE INDEX reviews_by_image ON reviews(image_id, id);
CREATE TABLE mask_edits (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    image_id      INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    reviewer      TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    model_id      INTEGER,
    run_id        INTEGER,
    threshold     REAL,
    action        TEXT NOT NULL,
    defect_pixels INTEGER NOT NULL CHECK (defect_pixels >= 0),
    snapshot_png  BLOB
);
CREATE INDEX mask_edits_by_image ON mask_edits(image_id, id);
)sql";

// Runs a crash or a kill left behind: status 'interrupted' (set when a project is opened
// and the process that was scoring is gone), and the run's owner, "host boot-id pid
// start-ticks", to tell a dead writer from a live one. The sequence of discarded run ids
// carries over, so none is handed out again.
constexpr const char* kVersion5 = R"sql(
CREATE TABLE runs_v5 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id     INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
    threshold    REAL NOT NULL,
    finished_at  TEXT,
    ms_per_image REAL,
    owner        TEXT
);
INSERT INTO runs_v5 (id, model_id, created_at, status, threshold, finished_at, ms_per_image)
    SELECT id, model_id, created_at, status, threshold, finished_at, ms_per_image FROM runs;
DELETE FROM sqlite_sequence WHERE name = 'runs_v5';
INSERT INTO sqlite_sequence (name, seq) SELECT 'runs_v5', seq FROM sqlite_sequence WHERE name = 'runs';
DROP TABLE runs;
ALTER TABLE runs_v5 RENAME TO runs;
CREATE INDEX runs_by_model ON runs(model_id);
)sql";

// How many good images training held out to set the model's threshold (NULL for models
// trained before it was recorded: unknown, not zero).
constexpr const char* kVersion6 = R"sql(
ALTER TABLE models ADD COLUMN n_held_out INTEGER CHECK (n_held_out >= 0);
)sql";

} // namespace

const std::vector<Migration>& migrations()
{
    static const std::vector<Migration> steps = {
        {1, kVersion1}, {2, kVersion2}, {3, kVersion3}, {4, kVersion4, true}, {5, kVersion5, true}, {6, kVersion6},
    };
    return steps;
}

int currentVersion()
{
    return migrations().back().version;
}

} // namespace ds::schema
