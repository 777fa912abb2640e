#include "ui/review/ThresholdBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>

#include <algorithm>
#include <cmath>

namespace ds::ui {
namespace {
constexpr int kSliderSteps = 1000;
}

ThresholdBar::ThresholdBar(QWidget* parent)
    : QWidget(parent)
{
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setObjectName(QStringLiteral("thresholdSlider"));
    slider_->setRange(0, kSliderSteps);
    slider_->setToolTip(QStringLiteral("Images scoring at or above the threshold are judged defective"));
    value_ = new QLabel;
    value_->setMinimumWidth(value_->fontMetrics().horizontalAdvance(QStringLiteral("00000.0000 (000 defects)")));
    connect(slider_, &QSlider::valueChanged, this, [this](int value) { Q_EMIT moved(sliderToThreshold(value)); });
    reset_ = new QPushButton(QStringLiteral("Reset"));
    reset_->setObjectName(QStringLiteral("resetThresholdButton"));
    reset_->setToolTip(QStringLiteral("Back to the threshold the model chose"));
    connect(reset_, &QPushButton::clicked, this, &ThresholdBar::resetRequested);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(QStringLiteral("Threshold:")));
    layout->addWidget(slider_, 1);
    layout->addWidget(value_);
    layout->addWidget(reset_);
    setAdjustable(false);
}

void ThresholdBar::setScoreRange(double low, double high, double threshold)
{
    low_ = std::min(low, threshold);
    high_ = std::max(high, threshold);
    if (high_ - low_ < 1e-9)
        high_ = low_ + 1.0;
}

void ThresholdBar::showThreshold(double threshold, int defects, bool moveSlider)
{
    if (moveSlider) {
        const QSignalBlocker blocker(slider_);
        slider_->setValue(thresholdToSlider(threshold));
    }
    value_->setText(QStringLiteral("%1 (%2 defects)").arg(threshold, 0, 'f', 4).arg(defects));
}

void ThresholdBar::setAdjustable(bool adjustable)
{
    slider_->setEnabled(adjustable);
    reset_->setEnabled(adjustable);
}

void ThresholdBar::clear()
{
    value_->clear();
    setAdjustable(false);
}

double ThresholdBar::sliderToThreshold(int value) const
{
    return low_ + (high_ - low_) * double(value) / kSliderSteps;
}

int ThresholdBar::thresholdToSlider(double threshold) const
{
    return std::clamp(int(std::lround((threshold - low_) / (high_ - low_) * kSliderSteps)), 0, kSliderSteps);
}

} // namespace ds::ui
