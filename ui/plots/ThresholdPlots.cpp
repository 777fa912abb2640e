#include "ui/plots/ThresholdPlots.h"

#include "core/metrics/Metrics.h"
#include "core/metrics/Threshold.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/plots/PlotCanvas.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace ds::ui {

namespace {

constexpr int kBins = 30;
const QColor kGoodColor(46, 134, 193);
const QColor kDefectColor(214, 69, 65);
const QColor kUnknownColor(150, 150, 150);

void styleAxes(QCustomPlot* plot)
{
    QFont small = plot->font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1));
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        axis->setTickLabelFont(small);
        axis->setLabelFont(small);
    }
    plot->setMinimumSize(200, 150);
}

} // namespace

ThresholdPlots::ThresholdPlots(QWidget* parent)
    : QWidget(parent)
{
    histogram_ = new PlotCanvas(this);
    histogram_->setObjectName(QStringLiteral("histogramPlot"));
    styleAxes(histogram_);
    histogram_->xAxis->setLabel(QStringLiteral("score (click to set the threshold)"));
    histogram_->yAxis->setLabel(QStringLiteral("images"));
    goodBars_ = new QCPBars(histogram_->xAxis, histogram_->yAxis);
    goodBars_->setName(QStringLiteral("good"));
    goodBars_->setPen(QPen(kGoodColor.darker(130)));
    goodBars_->setBrush(QColor(kGoodColor.red(), kGoodColor.green(), kGoodColor.blue(), 150));
    defectBars_ = new QCPBars(histogram_->xAxis, histogram_->yAxis);
    defectBars_->setName(QStringLiteral("defective"));
    defectBars_->setPen(QPen(kDefectColor.darker(130)));
    defectBars_->setBrush(QColor(kDefectColor.red(), kDefectColor.green(), kDefectColor.blue(), 150));
    unknownBars_ = new QCPBars(histogram_->xAxis, histogram_->yAxis);
    unknownBars_->setName(QStringLiteral("unlabelled"));
    unknownBars_->setPen(QPen(kUnknownColor.darker(130)));
    unknownBars_->setBrush(QColor(kUnknownColor.red(), kUnknownColor.green(), kUnknownColor.blue(), 120));
    histogram_->legend->setVisible(true);
    histogram_->legend->setFont(histogram_->xAxis->tickLabelFont());
    histogram_->legend->setRowSpacing(0);
    histogram_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    histogramLine_ = new QCPItemStraightLine(histogram_);
    histogramLine_->setPen(QPen(Qt::black, 2, Qt::DashLine));
    histogramLine_->point1->setCoords(0, 0);
    histogramLine_->point2->setCoords(0, 1);
    connect(histogram_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) { histogramMouse(event, true); });
    connect(histogram_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) { histogramMouse(event, false); });

    roc_ = new PlotCanvas(this);
    roc_->setObjectName(QStringLiteral("rocPlot"));
    styleAxes(roc_);
    roc_->xAxis->setLabel(QStringLiteral("false positive rate"));
    roc_->yAxis->setLabel(QStringLiteral("true positive rate"));
    roc_->xAxis->setRange(0, 1);
    roc_->yAxis->setRange(0, 1.02);
    roc_->plotLayout()->insertRow(0);
    rocTitle_ = new QCPTextElement(roc_, QStringLiteral("ROC"), roc_->xAxis->labelFont());
    roc_->plotLayout()->addElement(0, 0, rocTitle_);
    auto* diagonal = new QCPItemStraightLine(roc_);
    diagonal->setPen(QPen(Qt::gray, 1, Qt::DotLine));
    diagonal->point1->setCoords(0, 0);
    diagonal->point2->setCoords(1, 1);
    rocCurve_ = new QCPCurve(roc_->xAxis, roc_->yAxis);
    rocCurve_->setPen(QPen(kDefectColor, 2));
    operatingPoint_ = roc_->addGraph();
    operatingPoint_->setLineStyle(QCPGraph::lsNone);
    operatingPoint_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, Qt::black, Qt::yellow, 9));

    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("confusionLabel"));
    summary_->setTextFormat(Qt::RichText);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary_->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    summary_->setWordWrap(false);
    summary_->setMinimumWidth(summary_->fontMetrics().horizontalAdvance(QStringLiteral("Precision   0.000")) + 16);
    useSuggested_ = new QPushButton(QStringLiteral("Use F1-optimal"), this);
    useSuggested_->setObjectName(QStringLiteral("useSuggestedButton"));
    useSuggested_->setToolTip(QStringLiteral("Set the threshold that maximises F1 on the labelled images"));
    connect(useSuggested_, &QPushButton::clicked, this, [this] {
        if (!suggested_)
            return;
        setThreshold(*suggested_);
        Q_EMIT thresholdChanged(*suggested_);
    });

    auto* side = new QVBoxLayout;
    side->addStretch(1);
    side->addWidget(summary_);
    side->addWidget(useSuggested_);
    side->addStretch(1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(histogram_, 3);
    layout->addWidget(roc_, 2);
    layout->addLayout(side, 0);
    rebuild();
}

QWidget* ThresholdPlots::histogramWidget() const
{
    return histogram_;
}

QPoint ThresholdPlots::histogramPoint(double x) const
{
    const double px = histogram_->xAxis->coordToPixel(x);
    const double py = histogram_->yAxis->coordToPixel(histogram_->yAxis->range().center());
    return QPoint(int(std::lround(px)), int(std::lround(py)));
}

void ThresholdPlots::setScores(std::vector<float> scores, std::vector<int> labels)
{
    if (labels.size() != scores.size())
        labels.assign(scores.size(), 0);
    scores_ = std::move(scores);
    labels_ = std::move(labels);
    rebuild();
}

void ThresholdPlots::setThreshold(double threshold)
{
    threshold_ = threshold;
    updateThresholdViews();
}

void ThresholdPlots::histogramMouse(QMouseEvent* event, bool press)
{
    if (scores_.empty() || !(event->buttons() & Qt::LeftButton))
        return;
    if (press && !histogram_->axisRect()->rect().contains(event->pos()))
        return;
    const QCPRange range = histogram_->xAxis->range();
    const double value = std::clamp(histogram_->xAxis->pixelToCoord(event->pos().x()), range.lower, range.upper);
    setThreshold(value);
    Q_EMIT thresholdChanged(value);
}

void ThresholdPlots::rebuild()
{
    auroc_ = 0.0;
    suggested_.reset();
    labelledScores_.clear();
    labelledLabels_.clear();
    for (size_t i = 0; i < scores_.size(); ++i)
        if (labels_[i] >= 0) {
            labelledScores_.push_back(scores_[i]);
            labelledLabels_.push_back(labels_[i]);
        }
    const auto defective = std::count(labelledLabels_.begin(), labelledLabels_.end(), 1);
    hasBoth_ = defective > 0 && defective < std::ptrdiff_t(labelledLabels_.size());

    // Histogram: the same bins for every class, overlapping translucent bars.
    QVector<double> keys, goodCounts, defectCounts, unknownCounts;
    double low = 0.0, high = 1.0;
    if (!scores_.empty()) {
        const auto [mn, mx] = std::minmax_element(scores_.begin(), scores_.end());
        low = *mn;
        high = *mx;
        if (high - low < 1e-12)
            high = low + 1.0;
        const double width = (high - low) / kBins;
        keys.resize(kBins);
        goodCounts.fill(0.0, kBins);
        defectCounts.fill(0.0, kBins);
        unknownCounts.fill(0.0, kBins);
        for (int bin = 0; bin < kBins; ++bin)
            keys[bin] = low + (bin + 0.5) * width;
        for (size_t i = 0; i < scores_.size(); ++i) {
            const int bin = std::clamp(int((scores_[i] - low) / width), 0, kBins - 1);
            (labels_[i] < 0 ? unknownCounts : labels_[i] ? defectCounts : goodCounts)[bin] += 1.0;
        }
        goodBars_->setWidth(width);
        defectBars_->setWidth(width);
        unknownBars_->setWidth(width);
    }
    goodBars_->setData(keys, goodCounts, true);
    defectBars_->setData(keys, defectCounts, true);
    unknownBars_->setData(keys, unknownCounts, true);
    // The legend lists only the classes present.
    const auto showInLegend = [](QCPBars* bars, const QVector<double>& counts) {
        if (std::any_of(counts.begin(), counts.end(), [](double c) { return c > 0; }))
            bars->addToLegend();
        else
            bars->removeFromLegend();
    };
    showInLegend(goodBars_, goodCounts);
    showInLegend(defectBars_, defectCounts);
    showInLegend(unknownBars_, unknownCounts);
    const double pad = (high - low) * 0.05;
    histogram_->xAxis->setRange(low - pad, high + pad);
    double peak = 1.0;
    for (double count : goodCounts)
        peak = std::max(peak, count);
    for (double count : defectCounts)
        peak = std::max(peak, count);
    for (double count : unknownCounts)
        peak = std::max(peak, count);
    histogram_->yAxis->setRange(0, peak * 1.25);

    // ROC curve.
    QVector<double> fpr, tpr;
    if (hasBoth_) {
        try {
            const ds::RocCurve curve = ds::rocCurve(labelledScores_, labelledLabels_);
            fpr = QVector<double>(curve.fpr.begin(), curve.fpr.end());
            tpr = QVector<double>(curve.tpr.begin(), curve.tpr.end());
            auroc_ = ds::rocAuc(labelledScores_, labelledLabels_);
            suggested_ = ds::f1OptimalThreshold(labelledScores_, labelledLabels_);
        } catch (const std::exception&) {
            hasBoth_ = false;
        }
    }
    rocCurve_->setData(fpr, tpr);
    rocTitle_->setText(hasBoth_ ? QStringLiteral("ROC · AUROC %1").arg(auroc_, 0, 'f', 3) : QStringLiteral("ROC"));
    updateThresholdViews();
}

void ThresholdPlots::updateThresholdViews()
{
    histogramLine_->point1->setCoords(threshold_, 0);
    histogramLine_->point2->setCoords(threshold_, 1);
    confusion_ = ds::Confusion {};
    QVector<double> px, py;
    if (hasBoth_) {
        confusion_ = ds::confusionAt(labelledScores_, labelledLabels_, threshold_);
        px << double(confusion_.fp) / std::max(1, confusion_.fp + confusion_.tn);
        py << double(confusion_.tp) / std::max(1, confusion_.tp + confusion_.fn);
    }
    operatingPoint_->setData(px, py);
    summary_->setText(summaryText());
    useSuggested_->setEnabled(suggested_.has_value());
    useSuggested_->setToolTip(
        suggested_
            ? QStringLiteral("Set the threshold to %1, which maximises F1 on the labelled images").arg(*suggested_, 0, 'f', 4)
            : QStringLiteral("Needs good and defective labels"));
    replotWhenSized(histogram_);
    replotWhenSized(roc_);
}

QString ThresholdPlots::summaryText() const
{
    const QString note
        = labelNote_.isEmpty() ? QString() : QStringLiteral("<br><small>%1</small>").arg(labelNote_.toHtmlEscaped());
    if (scores_.empty())
        return QStringLiteral("<i>No scores</i>");
    if (!hasBoth_)
        return QStringLiteral("<i>ROC and confusion counts:<br>needs good and defective labels.</i>") + note;
    const ds::Confusion& c = confusion_;
    const auto ratio
        = [](int num, int den) { return den > 0 ? QString::number(double(num) / den, 'f', 3) : QStringLiteral("–"); };
    return QStringLiteral("<table cellspacing=2>"
                          "<tr><td colspan=2><b>At this threshold</b></td></tr>"
                          "<tr><td>TP</td><td align=right><b>%1</b></td></tr>"
                          "<tr><td>FP</td><td align=right><b>%2</b></td></tr>"
                          "<tr><td>TN</td><td align=right><b>%3</b></td></tr>"
                          "<tr><td>FN</td><td align=right><b>%4</b></td></tr>"
                          "<tr><td>Precision&nbsp;</td><td align=right><b>%5</b></td></tr>"
                          "<tr><td>Recall</td><td align=right><b>%6</b></td></tr>"
                          "<tr><td>F1-optimal&nbsp;</td><td align=right><b>%7</b></td></tr></table>")
               .arg(c.tp)
               .arg(c.fp)
               .arg(c.tn)
               .arg(c.fn)
               .arg(ratio(c.tp, c.tp + c.fp), ratio(c.tp, c.tp + c.fn),
                    suggested_ ? QString::number(*suggested_, 'f', 3) : QStringLiteral("–"))
        + note;
}

void ThresholdPlots::setLabelNote(const QString& note)
{
    labelNote_ = note;
    summary_->setText(summaryText());
}

} // namespace ds::ui
