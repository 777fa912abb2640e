#pragma once
#include <QMap>
#include <QString>
#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace ds::ui {

// Curves that grow while a job runs, e.g. a method's training loss per step: one line per
// curve name, axes following the data, replots coalesced.
class CurvePlot : public QWidget {
    Q_OBJECT
public:
    explicit CurvePlot(QWidget* parent = nullptr);

    void addPoint(const QString& curve, double x, double y);
    void clear();
    bool isEmpty() const { return graphs_.isEmpty(); }
    int pointCount(const QString& curve) const;

private:
    QCustomPlot* plot_ = nullptr;
    QMap<QString, QCPGraph*> graphs_;
};

} // namespace ds::ui
