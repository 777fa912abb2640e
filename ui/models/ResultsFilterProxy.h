#pragma once
#include <QHash>
#include <QSortFilterProxyModel>
#include <QString>

#include <cstdint>
#include <vector>

namespace ds::ui {

// Sorts a ResultsModel by its SortRole, or by a given ranking (the review queue's order),
// and filters it: every image, only those the model flags at the current threshold, only
// those whose verdict disagrees with the known truth, or only those nobody has reviewed;
// optionally one label (defect type) only. Follows threshold changes as they happen.
class ResultsFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum class Show { All, Flagged, Misclassified, Unreviewed };

    explicit ResultsFilterProxy(QObject* parent = nullptr);

    void setShow(Show show);
    Show show() const { return show_; }
    // Empty: every label.
    void setLabel(const QString& label);
    QString label() const { return label_; }
    // Image ids in the order to show them (first = top); images not listed go last, by id.
    // An empty ranking goes back to sorting by column.
    void setRanking(const std::vector<std::int64_t>& imageIds);
    bool hasRanking() const { return !rank_.isEmpty(); }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    Show show_ = Show::All;
    QString label_;
    QHash<std::int64_t, int> rank_;
};

} // namespace ds::ui
