// ProjectFile: trained models.
#include "core/storage/ProjectFile.h"

#include "core/Error.h"

namespace ds {

namespace {

// Columns: id, name, method, params_json, backbone, state's size, train_seconds, n_train,
// threshold, created_at, n_held_out. length(state) is answered from the record header without reading
// the blob.
constexpr const char* kSelectModels = "SELECT id, name, method, params_json, backbone, length(state), "
                                      "train_seconds, n_train, threshold, created_at, n_held_out FROM models ";

ModelRecord modelAt(const SqliteStatement& statement)
{
    ModelRecord model;
    model.id = statement.int64At(0);
    model.name = statement.textAt(1);
    model.method = statement.textAt(2);
    model.paramsJson = statement.textAt(3);
    model.backbone = statement.textAt(4);
    model.stateBytes = statement.int64At(5);
    model.trainSeconds = statement.doubleAt(6);
    model.nTrain = static_cast<int>(statement.int64At(7));
    model.threshold = statement.doubleAt(8);
    model.createdAt = statement.textAt(9);
    if (!statement.isNullAt(10))
        model.nHeldOut = static_cast<int>(statement.int64At(10));
    return model;
}

} // namespace

std::int64_t ProjectFile::addModel(const ModelRecord& model)
{
    SqliteConnection& db = connection();
    SqliteStatement statement(db,
                              "INSERT INTO models (name, method, params_json, backbone, state, "
                              "train_seconds, n_train, threshold, n_held_out) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    statement.bind(1, model.name)
        .bind(2, model.method)
        .bind(3, model.paramsJson)
        .bind(4, model.backbone)
        .bind(5, model.state)
        .bind(6, model.trainSeconds)
        .bind(7, model.nTrain)
        .bind(8, model.threshold);
    if (model.nHeldOut)
        statement.bind(9, *model.nHeldOut);
    else
        statement.bindNull(9);
    statement.run();
    return db.lastInsertRowId();
}

std::vector<ModelRecord> ProjectFile::models() const
{
    const std::string sql = std::string(kSelectModels) + "ORDER BY id";
    SqliteStatement statement(connection(), sql.c_str());
    std::vector<ModelRecord> models;
    while (statement.step())
        models.push_back(modelAt(statement));
    return models;
}

std::optional<ModelRecord> ProjectFile::model(std::int64_t modelId) const
{
    const std::string sql = std::string(kSelectModels) + "WHERE id = ?";
    SqliteStatement statement(connection(), sql.c_str());
    statement.bind(1, modelId);
    if (!statement.step())
        return std::nullopt;
    return modelAt(statement);
}

std::vector<std::uint8_t> ProjectFile::modelState(std::int64_t modelId) const
{
    SqliteStatement statement(connection(), "SELECT state FROM models WHERE id = ?");
    statement.bind(1, modelId);
    if (!statement.step())
        throw Error("Project file " + quoted(path()) + " has no model with id " + std::to_string(modelId));
    return statement.blobAt(0);
}

void ProjectFile::deleteModel(std::int64_t modelId)
{
    SqliteStatement statement(connection(), "DELETE FROM models WHERE id = ?");
    statement.bind(1, modelId).run();
}

} // namespace ds
