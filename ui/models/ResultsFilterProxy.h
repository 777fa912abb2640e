#pragma once
#include <QSortFilterProxyModel>
#include <QString>

namespace ds::ui {

// Sorts a ResultsModel by its SortRole and filters it: every image, only those the model
// flags at the current threshold, or only those whose verdict disagrees with the label;
// optionally one label (defect type) only. Follows threshold changes as they happen.
class ResultsFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum class Show { All, Flagged, Misclassified };

    explicit ResultsFilterProxy(QObject* parent = nullptr);

    void setShow(Show show);
    Show show() const { return show_; }
    // Empty: every label.
    void setLabel(const QString& label);
    QString label() const { return label_; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    Show show_ = Show::All;
    QString label_;
};

} // namespace ds::ui
