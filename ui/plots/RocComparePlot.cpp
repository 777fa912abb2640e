#include "ui/plots/RocComparePlot.h"

#include <QLabel>
#include <QVBoxLayout>

#include "ui/plots/PlotCanvas.h"

#include <qcustomplot.h>

#include <algorithm>

namespace ds::ui {

namespace {

// Tell-apart colours (Tableau 10), repeated beyond ten models.
const QColor kCurveColors[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
                               {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

constexpr int kLegendNameLength = 28; // longer names end in "…" (the table has them whole)

} // namespace

RocComparePlot::RocComparePlot(QWidget* parent)
    : QWidget(parent)
{
    plot_ = new PlotCanvas(this);
    plot_->setObjectName(QStringLiteral("rocComparePlot"));
    plot_->setMinimumSize(260, 220);
    plot_->xAxis->setLabel(QStringLiteral("false positive rate"));
    plot_->yAxis->setLabel(QStringLiteral("true positive rate"));
    plot_->xAxis->setRange(0, 1);
    plot_->yAxis->setRange(0, 1.02);
    auto* diagonal = new QCPItemStraightLine(plot_);
    diagonal->setPen(QPen(Qt::gray, 1, Qt::DotLine));
    diagonal->point1->setCoords(0, 0);
    diagonal->point2->setCoords(1, 1);
    // The legend in a row of its own under the axes: inside them it covered curves and was
    // cut off once names grew long.
    auto* legendRow = new QCPLayoutGrid;
    plot_->plotLayout()->addElement(1, 0, legendRow);
    legendRow->setMargins(QMargins(6, 0, 6, 6));
    legendRow->addElement(0, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(1, 0.001);
    plot_->legend->setVisible(true);
    plot_->legend->setFillOrder(QCPLayoutGrid::foRowsFirst);

    note_ = new QLabel(this);
    note_->setObjectName(QStringLiteral("rocNote"));
    note_->setWordWrap(true);
    note_->hide();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_, 1);
    layout->addWidget(note_);
}

void RocComparePlot::setCurves(const std::vector<Curve>& curves, const QString& note)
{
    for (QCPCurve* curve : curves_)
        plot_->removePlottable(curve);
    curves_.clear();
    for (size_t i = 0; i < curves.size(); ++i) {
        const Curve& source = curves[i];
        auto* curve = new QCPCurve(plot_->xAxis, plot_->yAxis);
        const QString name
            = source.name.size() > kLegendNameLength ? source.name.left(kLegendNameLength - 1) + QChar(0x2026) : source.name;
        // The figure first: a narrow plot cuts the end of a line, never the AUROC.
        curve->setName(QStringLiteral("%1 · %2").arg(source.auroc, 0, 'f', 3).arg(name));
        curve->setPen(QPen(kCurveColors[i % std::size(kCurveColors)], 2));
        curve->setData(QVector<double>(source.roc.fpr.begin(), source.roc.fpr.end()),
                       QVector<double>(source.roc.tpr.begin(), source.roc.tpr.end()));
        curves_.push_back(curve);
    }
    note_->setText(note);
    note_->setVisible(!note.isEmpty());
    replotWhenSized(plot_, QCustomPlot::rpImmediateRefresh); // now, so a grab of the dialog right after shows the curves
}

QRect RocComparePlot::legendRect() const
{
    return plot_->legend->outerRect();
}

QRect RocComparePlot::curvesRect() const
{
    return plot_->axisRect()->rect();
}

QString RocComparePlot::legendText(int curve) const
{
    return curve >= 0 && curve < curveCount() ? curves_[size_t(curve)]->name() : QString();
}

} // namespace ds::ui
