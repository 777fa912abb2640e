#include "ui/ImagePane.h"

#include "core/data/Overlay.h"
#include "ui/ImageConversion.h"
#include "ui/review/MaskEditor.h"
#include "ui/review/MaskOverlay.h"
#include "ui/widgets/ColourBar.h"
#include "ui/widgets/ImageView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QSettings>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <opencv2/imgproc.hpp>

namespace ds::ui {

namespace {

constexpr double kMaskOpacity = 0.55; // over the heatmap, the type colours still read

cv::Mat rgbToBgr8(const cv::Mat& rgb)
{
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    bgr.convertTo(bgr, CV_8UC3, 255.0);
    return bgr;
}

QToolButton* toolButton(const QString& text, const QString& tip)
{
    auto* button = new QToolButton;
    button->setText(text);
    button->setToolTip(tip);
    button->setAutoRaise(true);
    return button;
}

} // namespace

ImagePane::ImagePane(const QString& settingsGroup, bool sideBySideByDefault, QWidget* parent)
    : QWidget(parent)
    , settingsGroup_(settingsGroup)
{
    QSettings settings;
    settings.beginGroup(settingsGroup_);
    renderTimer_ = new QTimer(this);
    renderTimer_->setSingleShot(true);
    renderTimer_->setInterval(30);
    connect(renderTimer_, &QTimer::timeout, this, &ImagePane::render);
    view_ = new ImageView;
    caption_ = new QLabel;
    caption_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    readout_ = new QLabel;
    readout_->setObjectName(QStringLiteral("pixelReadout"));
    readout_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    readout_->setMinimumWidth(readout_->fontMetrics().horizontalAdvance(QStringLiteral("x 0000  y 0000  anomaly 0000.000")));
    connect(view_, &ImageView::pixelHovered, this, &ImagePane::showPixel);

    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setObjectName(QStringLiteral("opacitySlider"));
    opacity_->setRange(0, 100);
    opacity_->setValue(settings.value(QStringLiteral("opacity"), 45).toInt());
    opacity_->setToolTip(QStringLiteral("Opacity of the heatmap over the image"));
    opacity_->setMaximumWidth(160);
    opacityValue_ = new QLabel(QString::number(opacity_->value()) + QStringLiteral(" %"));
    opacityValue_->setMinimumWidth(opacityValue_->fontMetrics().horizontalAdvance(QStringLiteral("100 %")));
    connect(opacity_, &QSlider::valueChanged, this, [this](int value) {
        opacityValue_->setText(QString::number(value) + QStringLiteral(" %"));
        QSettings().setValue(settingsGroup_ + QStringLiteral("/opacity"), value);
        overlayWithoutMask_.release();
        scheduleRender();
    });

    colourBar_ = new ColourBar;
    colormap_ = new QComboBox;
    colormap_->setObjectName(QStringLiteral("colormapBox"));
    colormap_->setToolTip(QStringLiteral("Colours of the heatmap"));
    for (const auto& [name, code] : ds::overlayColormaps())
        colormap_->addItem(QString::fromStdString(name), code);
    colormap_->setCurrentIndex(std::max(0, colormap_->findText(settings.value(QStringLiteral("colormap")).toString())));
    colourBar_->setColormap(colormap_->currentData().toInt());
    connect(colormap_, &QComboBox::currentIndexChanged, this, [this] {
        QSettings().setValue(settingsGroup_ + QStringLiteral("/colormap"), colormap_->currentText());
        colourBar_->setColormap(colormap_->currentData().toInt());
        overlayWithoutMask_.release();
        render();
    });

    groundTruthBox_ = new QCheckBox(QStringLiteral("&Ground truth"));
    groundTruthBox_->setObjectName(QStringLiteral("groundTruthBox"));
    groundTruthBox_->setToolTip(QStringLiteral("Outline the true defect region (green) where a mask is known"));
    groundTruthBox_->setChecked(settings.value(QStringLiteral("groundTruth"), true).toBool());
    connect(groundTruthBox_, &QCheckBox::toggled, this, [this](bool on) {
        QSettings().setValue(settingsGroup_ + QStringLiteral("/groundTruth"), on);
        render();
    });
    sideBySide_ = new QCheckBox(QStringLiteral("Side &by side"));
    sideBySide_->setObjectName(QStringLiteral("sideBySideBox"));
    sideBySide_->setToolTip(QStringLiteral("Original and overlay next to each other, zoomed and panned together"));
    sideBySide_->setChecked(settings.value(QStringLiteral("sideBySide"), sideBySideByDefault).toBool());
    connect(sideBySide_, &QCheckBox::toggled, this, [this](bool on) {
        QSettings().setValue(settingsGroup_ + QStringLiteral("/sideBySide"), on);
        render();
    });

    QToolButton* fit = toolButton(QStringLiteral("Fit"), QStringLiteral("Fit the image to the view (F)"));
    connect(fit, &QToolButton::clicked, view_, &ImageView::fitToWindow);
    QToolButton* actual = toolButton(QStringLiteral("1:1"), QStringLiteral("One image pixel per screen pixel (1)"));
    connect(actual, &QToolButton::clicked, view_, &ImageView::zoomActualSize);

    maskEditor_ = new MaskEditor(view_);
    maskEditor_->setObjectName(QStringLiteral("maskEditor"));
    maskEditor_->hide();
    connect(maskEditor_, &MaskEditor::maskChanged, this, &ImagePane::scheduleRender);
    connect(maskEditor_, &MaskEditor::maskEdited, this, [this](const cv::Mat& mask, const QString& action) {
        groundTruthBox_->setChecked(true); // what was just done must be visible
        Q_EMIT maskEdited(mask, action);
    });
    // Undo and redo while the pane has focus (the actions are enabled only while editing).
    addAction(maskEditor_->undoAction());
    addAction(maskEditor_->redoAction());

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(0, 0, 0, 0);
    controls->addWidget(new QLabel(QStringLiteral("Heatmap:")));
    controls->addWidget(opacity_);
    controls->addWidget(opacityValue_);
    controls->addWidget(colormap_);
    controls->addWidget(colourBar_);
    controls->addSpacing(8);
    controls->addWidget(groundTruthBox_);
    controls->addWidget(sideBySide_);
    controls->addStretch(1);
    controls->addWidget(fit);
    controls->addWidget(actual);

    auto* captionRow = new QHBoxLayout;
    captionRow->setContentsMargins(0, 0, 0, 0);
    captionRow->addWidget(caption_, 1);
    captionRow->addWidget(readout_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view_, 1);
    layout->addLayout(captionRow);
    layout->addWidget(maskEditor_);
    layout->addLayout(controls);
}

bool ImagePane::hasImage() const
{
    return view_->hasImage();
}

void ImagePane::showImage(const cv::Mat& image, const cv::Mat& heatmap, const cv::Mat& groundTruth, const QString& caption,
                          std::int64_t imageId)
{
    image_ = image;
    heatmap_ = heatmap;
    overlayWithoutMask_.release();
    maskEditor_->setImage(image, heatmap, groundTruth, imageId);
    updateGroundTruthBox();
    caption_->setText(caption);
    readout_->clear();
    render();
}

void ImagePane::setCaption(const QString& caption)
{
    caption_->setText(caption);
}

void ImagePane::setPlaceholder(const QString& text)
{
    image_.release();
    heatmap_.release();
    overlayWithoutMask_.release();
    maskEditor_->clearImage();
    caption_->clear();
    readout_->clear();
    view_->setPlaceholder(text);
}

void ImagePane::setColourScale(std::optional<ds::ColourScale> scale)
{
    colourScale_ = scale;
    colourBar_->setScale(scale.value_or(ds::colourScaleAround(threshold_)));
    overlayWithoutMask_.release();
    scheduleRender();
}

void ImagePane::setThreshold(double threshold)
{
    if (threshold == threshold_)
        return;
    threshold_ = threshold;
    colourBar_->setThreshold(threshold);
    if (!colourScale_)
        colourBar_->setScale(ds::colourScaleAround(threshold));
    maskEditor_->setThreshold(threshold);
    overlayWithoutMask_.release();
    scheduleRender();
}

void ImagePane::setMaskEditingEnabled(bool enabled)
{
    editing_ = enabled;
    maskEditor_->setVisible(enabled);
    maskEditor_->setActive(enabled);
    updateGroundTruthBox();
    render();
}

void ImagePane::setDefectTypes(const std::vector<DefectType>& types)
{
    maskEditor_->setDefectTypes(types);
    render();
}

cv::Mat ImagePane::currentMask() const
{
    return maskEditor_->mask();
}

QUndoStack* ImagePane::undoStack() const
{
    return maskEditor_->undoStack();
}

void ImagePane::updateGroundTruthBox()
{
    // Says at a glance whether a mask is known; while editing it shows or hides the mask.
    const cv::Mat& mask = maskEditor_->mask();
    groundTruthBox_->setEnabled(editing_ || (!mask.empty() && cv::countNonZero(mask) > 0));
}

bool ImagePane::event(QEvent* event)
{
    // Keys the mask tools use now (Esc while drawing a polygon) before window shortcuts.
    if (event->type() == QEvent::ShortcutOverride && editing_ && maskEditor_->wantsKey(*static_cast<QKeyEvent*>(event))) {
        event->accept();
        return true;
    }
    return QWidget::event(event);
}

void ImagePane::keyPressEvent(QKeyEvent* event)
{
    if (!editing_ || !maskEditor_->handleKey(*event))
        QWidget::keyPressEvent(event);
}

void ImagePane::scheduleRender()
{
    if (!renderTimer_->isActive())
        renderTimer_->start();
}

void ImagePane::render()
{
    renderTimer_->stop();
    if (image_.empty())
        return;
    const QImage original = rgbFloatMatToQImage(image_);
    ds::OverlayStyle style;
    style.opacity = opacity_->value() / 100.0;
    style.colormap = colormap_->currentData().toInt();
    style.scale = colourScale_;
    if (editing_) {
        if (overlayWithoutMask_.empty())
            overlayWithoutMask_ = heatmap_.empty() ? rgbToBgr8(image_) : ds::renderOverlay(image_, heatmap_, threshold_, style);
        const QImage edited = groundTruthBox_->isChecked()
            ? bgrMatToQImage(drawMaskOverlay(overlayWithoutMask_, maskEditor_->mask(), maskEditor_->defectTypes(), kMaskOpacity))
            : bgrMatToQImage(overlayWithoutMask_);
        if (sideBySide_->isChecked())
            view_->setImages(original, edited);
        else
            view_->setImages(edited);
        return;
    }
    if (heatmap_.empty()) {
        view_->setImages(original);
        return;
    }
    if (groundTruthBox_->isChecked())
        style.groundTruth = maskEditor_->mask();
    const QImage overlay = bgrMatToQImage(ds::renderOverlay(image_, heatmap_, threshold_, style));
    if (sideBySide_->isChecked())
        view_->setImages(original, overlay);
    else
        view_->setImages(overlay);
}

void ImagePane::showPixel(QPoint pixel)
{
    if (image_.empty() || pixel.x() < 0 || pixel.y() < 0 || pixel.x() >= image_.cols || pixel.y() >= image_.rows) {
        readout_->clear();
        return;
    }
    QString text = QStringLiteral("x %1  y %2").arg(pixel.x()).arg(pixel.y());
    if (!heatmap_.empty()) {
        // The map is at the model's resolution: read the cell that covers this pixel.
        const int x = std::min(heatmap_.cols - 1, pixel.x() * heatmap_.cols / image_.cols);
        const int y = std::min(heatmap_.rows - 1, pixel.y() * heatmap_.rows / image_.rows);
        const float value = heatmap_.at<float>(y, x);
        text += QStringLiteral("  anomaly %1").arg(double(value), 0, 'f', 3);
        if (value >= threshold_)
            text = QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(text);
    }
    const cv::Mat& mask = maskEditor_->mask();
    if (editing_ && !mask.empty()) {
        const int value = mask.at<uchar>(pixel.y(), pixel.x());
        if (value != 0)
            text += QStringLiteral("  mask ") + defectTypeName(value, maskEditor_->defectTypes());
    }
    readout_->setText(text);
}

} // namespace ds::ui
