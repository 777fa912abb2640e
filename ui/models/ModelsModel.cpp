#include "ui/models/ModelsModel.h"

#include "ui/Wording.h"

namespace ds::ui {

ModelsModel::ModelsModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void ModelsModel::setSummaries(std::vector<ds::ModelSummary> summaries)
{
    beginResetModel();
    summaries_ = std::move(summaries);
    endResetModel();
}

void ModelsModel::setThreshold(std::int64_t modelId, double threshold)
{
    const std::optional<int> row = rowOf(modelId);
    if (!row)
        return;
    summaries_[size_t(*row)].threshold = threshold;
    summaries_[size_t(*row)].thresholdChosen = true;
    const QModelIndex cell = index(*row, ThresholdColumn);
    Q_EMIT dataChanged(cell, cell);
}

const ds::ModelSummary* ModelsModel::summary(std::int64_t modelId) const
{
    const std::optional<int> row = rowOf(modelId);
    return row ? &summaries_[size_t(*row)] : nullptr;
}

std::optional<int> ModelsModel::rowOf(std::int64_t modelId) const
{
    for (size_t row = 0; row < summaries_.size(); ++row)
        if (summaries_[row].model.id == modelId)
            return int(row);
    return std::nullopt;
}

std::int64_t ModelsModel::modelIdAt(int row) const
{
    return row >= 0 && row < int(summaries_.size()) ? summaries_[size_t(row)].model.id : 0;
}

int ModelsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(summaries_.size());
}

int ModelsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ModelsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= int(summaries_.size()))
        return {};
    const ds::ModelSummary& summary = summaries_[size_t(index.row())];
    const ds::ModelRecord& model = summary.model;
    switch (role) {
    case ModelIdRole: return QVariant::fromValue<qint64>(model.id);
    case Qt::TextAlignmentRole: return index.column() >= AurocColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::ToolTipRole:
        if (index.column() == ThresholdColumn)
            return summary.thresholdChosen
                ? QStringLiteral("Chosen in the workbench; training set %1").arg(model.threshold, 0, 'f', 4)
                : QStringLiteral("Set by training (move the threshold slider to choose another)");
        return QStringLiteral("%1\n%2 on %3, %4, created %5 UTC\nParameters: %6")
            .arg(
                QString::fromStdString(model.name), QString::fromStdString(model.method), QString::fromStdString(model.backbone),
                countOf(model.nTrain, QStringLiteral("training image"), QStringLiteral("training images"))
                    + (model.nHeldOut ? QStringLiteral(" and %1 held out to set the threshold").arg(*model.nHeldOut) : QString()),
                readableUtc(model.createdAt), QString::fromStdString(model.paramsJson));
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return QString::fromStdString(model.name);
        case MethodColumn: return QString::fromStdString(model.method);
        case AurocColumn: return summary.imageAuroc ? QString::number(*summary.imageAuroc, 'f', 3) : QStringLiteral("—");
        case TrainingColumn: return formatSeconds(model.trainSeconds);
        case ThresholdColumn: return QString::number(summary.threshold, 'f', 4);
        default: return {};
        }
    default: return {};
    }
}

QVariant ModelsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole && section == AurocColumn)
        return QStringLiteral("Of the latest run, when its images have both good and defect labels");
    if (role == Qt::ToolTipRole && section == ThresholdColumn)
        return QStringLiteral("The threshold verdicts use: yours when you moved it, else the model's own");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return QStringLiteral("Model");
    case MethodColumn: return QStringLiteral("Method");
    case AurocColumn: return QStringLiteral("Image AUROC");
    case TrainingColumn: return QStringLiteral("Training");
    case ThresholdColumn: return QStringLiteral("Threshold");
    default: return {};
    }
}

} // namespace ds::ui
