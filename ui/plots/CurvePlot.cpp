#include "ui/plots/CurvePlot.h"

#include <QVBoxLayout>

#include "ui/plots/PlotCanvas.h"

#include <qcustomplot.h>

namespace ds::ui {

namespace {
const QList<QColor> kCurveColours {QColor(214, 69, 65), QColor(46, 134, 193), QColor(39, 174, 96), QColor(142, 68, 173)};
}

CurvePlot::CurvePlot(QWidget* parent)
    : QWidget(parent)
{
    plot_ = new PlotCanvas(this);
    plot_->setObjectName(QStringLiteral("curvePlot"));
    plot_->xAxis->setLabel(QStringLiteral("step"));
    plot_->legend->setVisible(true);
    plot_->legend->setFont(plot_->xAxis->tickLabelFont());
    plot_->setMinimumHeight(140);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
}

void CurvePlot::addPoint(const QString& curve, double x, double y)
{
    QCPGraph*& graph = graphs_[curve];
    if (!graph) {
        graph = plot_->addGraph();
        graph->setName(curve);
        graph->setPen(QPen(kCurveColours[(graphs_.size() - 1) % kCurveColours.size()], 2));
    }
    graph->addData(x, y);
    plot_->rescaleAxes();
    replotWhenSized(plot_);
}

void CurvePlot::clear()
{
    plot_->clearGraphs();
    graphs_.clear();
    replotWhenSized(plot_);
}

int CurvePlot::pointCount(const QString& curve) const
{
    const auto graph = graphs_.constFind(curve);
    return graph == graphs_.constEnd() ? 0 : (*graph)->dataCount();
}

} // namespace ds::ui
