#pragma once
#include <QWidget>

#include <opencv2/core.hpp>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTimer;

namespace ds::ui {

class ImageView;

// The selected image as a person reviews it: the heatmap over the image (opacity and
// colormap of the user's choice), predicted-defect contours at the current threshold,
// the ground-truth outline, original | overlay side by side, zoom and pan, and the
// anomaly value under the cursor. View choices are kept in the user's settings under
// settingsGroup, so each place that shows images remembers its own.
class ImagePane : public QWidget {
    Q_OBJECT
public:
    explicit ImagePane(const QString& settingsGroup, bool sideBySideByDefault = false, QWidget* parent = nullptr);

    // image: CV_32FC3 RGB [0, 1]; heatmap: CV_32F anomaly map at any size (may be empty);
    // groundTruth: CV_8U mask at the image's size (may be empty). caption: rich text.
    void showImage(const cv::Mat& image, const cv::Mat& heatmap, const cv::Mat& groundTruth, const QString& caption);
    void setCaption(const QString& caption);
    void setPlaceholder(const QString& text);
    void setThreshold(double threshold);
    bool hasImage() const;

    ImageView* view() const { return view_; }
    QSlider* opacitySlider() const { return opacity_; }
    QComboBox* colormapBox() const { return colormap_; }
    QCheckBox* groundTruthBox() const { return groundTruthBox_; }
    QCheckBox* sideBySideBox() const { return sideBySide_; }
    QLabel* pixelReadout() const { return readout_; }

private:
    void render();
    void scheduleRender(); // coalesces bursts (a dragged threshold) into one render per ~30 ms
    void showPixel(QPoint pixel);

    ImageView* view_ = nullptr;
    QLabel* caption_ = nullptr;
    QLabel* readout_ = nullptr;
    QSlider* opacity_ = nullptr;
    QLabel* opacityValue_ = nullptr;
    QComboBox* colormap_ = nullptr;
    QCheckBox* groundTruthBox_ = nullptr;
    QCheckBox* sideBySide_ = nullptr;

    QString settingsGroup_;
    QTimer* renderTimer_ = nullptr;
    cv::Mat image_;
    cv::Mat heatmap_;
    cv::Mat groundTruth_;
    double threshold_ = 0.0;
};

} // namespace ds::ui
