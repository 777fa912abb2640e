#include "ui/models/ResultsFilterProxy.h"

#include "ui/models/ResultsModel.h"

#include <climits>

namespace ds::ui {

ResultsFilterProxy::ResultsFilterProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ResultsModel::SortRole);
    // Verdicts change with the threshold: rows enter and leave "flagged" as it moves.
    // -1: a change in any column (the verdict's) may change whether a row is shown.
    setDynamicSortFilter(true);
    setFilterKeyColumn(-1);
}

void ResultsFilterProxy::setShow(Show show)
{
    if (show == show_)
        return;
    show_ = show;
    invalidateRowsFilter();
}

void ResultsFilterProxy::setLabel(const QString& label)
{
    if (label == label_)
        return;
    label_ = label;
    invalidateRowsFilter();
}

void ResultsFilterProxy::setRanking(const std::vector<std::int64_t>& imageIds)
{
    rank_.clear();
    for (size_t i = 0; i < imageIds.size(); ++i)
        rank_.insert(imageIds[i], int(i));
    if (hasRanking())
        sort(0, Qt::AscendingOrder); // the ranking decides; the column does not matter
    else
        invalidate();
}

bool ResultsFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    if (!hasRanking())
        return QSortFilterProxyModel::lessThan(left, right);
    const qint64 leftId = left.data(ResultsModel::ImageIdRole).toLongLong();
    const qint64 rightId = right.data(ResultsModel::ImageIdRole).toLongLong();
    const int leftRank = rank_.value(leftId, INT_MAX), rightRank = rank_.value(rightId, INT_MAX);
    return leftRank != rightRank ? leftRank < rightRank : leftId < rightId;
}

bool ResultsFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex row = sourceModel()->index(sourceRow, ResultsModel::LabelColumn, sourceParent);
    if (!label_.isEmpty() && row.data(ResultsModel::SortRole).toString() != label_)
        return false;
    switch (show_) {
    case Show::All: return true;
    case Show::Flagged: return row.data(ResultsModel::DefectRole).toBool();
    case Show::Misclassified: return row.data(ResultsModel::MisclassifiedRole).toBool();
    case Show::Unreviewed: return !row.data(ResultsModel::ReviewedRole).toBool();
    }
    return true;
}

} // namespace ds::ui
