#include "ui/models/ResultsFilterProxy.h"

#include "ui/models/ResultsModel.h"

namespace ds::ui {

ResultsFilterProxy::ResultsFilterProxy(QObject* parent) : QSortFilterProxyModel(parent)
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

bool ResultsFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex row = sourceModel()->index(sourceRow, ResultsModel::LabelColumn, sourceParent);
    if (!label_.isEmpty() && row.data(ResultsModel::SortRole).toString() != label_)
        return false;
    switch (show_) {
    case Show::All: return true;
    case Show::Flagged: return row.data(ResultsModel::DefectRole).toBool();
    case Show::Misclassified: return row.data(ResultsModel::MisclassifiedRole).toBool();
    }
    return true;
}

} // namespace ds::ui
