#pragma once
#include "core/jobs/RunMetrics.h"

#include <QAbstractTableModel>

#include <cstdint>
#include <optional>
#include <vector>

namespace ds::ui {

// The project's models as a table: Model, Method, Image AUROC (of the latest run),
// Training (time), Threshold (the one verdicts use: the user's chosen one when set).
// Rows come from core's ds::modelSummaries, so every view of a model agrees.
class ModelsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, MethodColumn, AurocColumn, TrainingColumn, ThresholdColumn, ColumnCount };
    enum Role {
        ModelIdRole = Qt::UserRole, // qint64
    };

    explicit ModelsModel(QObject* parent = nullptr);

    void setSummaries(std::vector<ds::ModelSummary> summaries);
    // After the user moved a model's threshold, without re-reading the project.
    void setThreshold(std::int64_t modelId, double threshold);
    const ds::ModelSummary* summary(std::int64_t modelId) const;
    std::optional<int> rowOf(std::int64_t modelId) const;
    std::int64_t modelIdAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<ds::ModelSummary> summaries_;
};

} // namespace ds::ui
