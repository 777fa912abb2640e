#include "ui/models/ResultsModel.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace ds::ui {

ResultsModel::ResultsModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void ResultsModel::setRows(std::vector<Row> rows, double threshold)
{
    beginResetModel();
    rows_ = std::move(rows);
    threshold_ = threshold;
    endResetModel();
}

void ResultsModel::appendRow(Row row)
{
    const int at = int(rows_.size());
    beginInsertRows({}, at, at);
    rows_.push_back(std::move(row));
    endInsertRows();
}

void ResultsModel::clear()
{
    setRows({}, 0.0);
}

void ResultsModel::setThumbnail(std::int64_t imageId, const QImage& thumbnail)
{
    thumbnails_.insert(imageId, thumbnail);
    for (size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].imageId == imageId) {
            const QModelIndex changed = index(int(i), ImageColumn);
            Q_EMIT dataChanged(changed, changed, {Qt::DecorationRole});
        }
}

void ResultsModel::clearThumbnails()
{
    thumbnails_.clear();
    if (!rows_.empty())
        Q_EMIT dataChanged(index(0, ImageColumn), index(int(rows_.size()) - 1, ImageColumn), {Qt::DecorationRole});
}

QString ResultsModel::reviewText(const QString& review)
{
    if (review.isEmpty())
        return QStringLiteral("—");
    return review.left(1).toUpper() + review.mid(1);
}

const ResultsModel::Row* ResultsModel::row(std::int64_t imageId) const
{
    const auto found = std::find_if(rows_.begin(), rows_.end(), [imageId](const Row& row) { return row.imageId == imageId; });
    return found == rows_.end() ? nullptr : &*found;
}

void ResultsModel::setReview(std::int64_t imageId, const QString& review, std::optional<bool> truth, bool truthFromReviewer)
{
    for (size_t i = 0; i < rows_.size(); ++i) {
        if (rows_[i].imageId != imageId)
            continue;
        rows_[i].review = review;
        rows_[i].truth = truth;
        rows_[i].truthFromReviewer = truthFromReviewer;
        Q_EMIT dataChanged(index(int(i), 0), index(int(i), ColumnCount - 1));
    }
}

void ResultsModel::setThreshold(double threshold)
{
    if (threshold == threshold_)
        return;
    threshold_ = threshold;
    if (!rows_.empty())
        Q_EMIT dataChanged(index(0, VerdictColumn), index(int(rows_.size()) - 1, VerdictColumn),
                           {Qt::DisplayRole, Qt::ForegroundRole, SortRole, DefectRole, MisclassifiedRole});
}

int ResultsModel::defectCount() const
{
    return int(std::count_if(rows_.begin(), rows_.end(), [this](const Row& row) { return isDefect(row); }));
}

QString ResultsModel::verdictText(bool defect)
{
    return defect ? QStringLiteral("Defect") : QStringLiteral("Good");
}

int ResultsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int ResultsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ResultsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = rows_[size_t(index.row())];
    switch (role) {
    case ImageIdRole: return QVariant::fromValue<qint64>(row.imageId);
    case ScoreRole: return row.score;
    case DefectRole: return isDefect(row);
    case MisclassifiedRole: return row.truth.has_value() && isDefect(row) != *row.truth;
    case ReviewedRole: return !row.review.isEmpty();
    case Qt::DecorationRole:
        if (index.column() == ImageColumn) {
            const auto thumbnail = thumbnails_.constFind(row.imageId);
            if (thumbnail != thumbnails_.constEnd())
                return *thumbnail;
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case ImageColumn: return row.fileName;
        case LabelColumn: return row.label;
        case ReviewColumn: return row.review;
        case ScoreColumn: return row.score;
        case VerdictColumn: return isDefect(row) ? 1 : 0;
        }
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case ImageColumn: return row.fileName;
        case LabelColumn: return row.label.isEmpty() ? QStringLiteral("—") : row.label;
        case ReviewColumn: return reviewText(row.review);
        case ScoreColumn: return QString::number(row.score, 'f', 4);
        case VerdictColumn: return verdictText(isDefect(row));
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == ScoreColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == VerdictColumn)
            return QBrush(isDefect(row) ? QColor(190, 30, 30) : QColor(30, 130, 50));
        if (index.column() == ReviewColumn && !row.review.isEmpty())
            return QBrush(row.review == QStringLiteral("defect")     ? QColor(190, 30, 30)
                              : row.review == QStringLiteral("good") ? QColor(30, 130, 50)
                                                                     : QColor(150, 110, 0));
        return {};
    case Qt::ToolTipRole:
        if (index.column() == VerdictColumn)
            return QStringLiteral("The model's verdict at the current threshold");
        if (index.column() == ReviewColumn)
            return QStringLiteral("The latest verdict a person gave (D / G / U while reviewing)");
        return {};
    default: return {};
    }
}

QVariant ResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ImageColumn: return QStringLiteral("Image");
    case LabelColumn: return QStringLiteral("Label");
    case ReviewColumn: return QStringLiteral("Review");
    case ScoreColumn: return QStringLiteral("Score");
    case VerdictColumn: return QStringLiteral("Verdict");
    }
    return {};
}

} // namespace ds::ui
