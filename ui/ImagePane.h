#pragma once
#include "core/ProjectTypes.h"
#include "core/data/Overlay.h"

#include <QWidget>

#include <opencv2/core.hpp>

#include <cstdint>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTimer;
class QUndoStack;

namespace ds::ui {

class ColourBar;
class ImageView;
class MaskEditor;

// The selected image as a person reviews it: the heatmap over the image (opacity and
// colormap of the user's choice), predicted-defect contours at the current threshold,
// the ground-truth outline, original | overlay side by side, zoom and pan, and the
// anomaly value under the cursor. View choices are kept in the user's settings under
// settingsGroup, so each place that shows images remembers its own.
//
// With mask editing enabled, a mask toolbar (see MaskEditor for its tools and keys) edits
// the ground-truth mask at the image's resolution, each region drawn in its defect type's
// colour; the left button edits, the middle button or Space + drag pans; Ctrl+Z and
// Ctrl+Shift+Z / Ctrl+Y undo and redo while the pane has focus.
class ImagePane : public QWidget {
    Q_OBJECT
public:
    explicit ImagePane(const QString& settingsGroup, bool sideBySideByDefault = false, QWidget* parent = nullptr);

    // image: CV_32FC3 RGB [0, 1]; heatmap: CV_32F anomaly map at any size (may be empty);
    // groundTruth: CV_8UC1 mask at the image's size, values as ProjectFile's masks (may be
    // empty). caption: rich text. imageId names the image, so its mask edits keep their
    // undo history when it is shown again (< 0: none kept).
    void showImage(const cv::Mat& image, const cv::Mat& heatmap, const cv::Mat& groundTruth, const QString& caption,
                   std::int64_t imageId = -1);
    void setCaption(const QString& caption);
    void setPlaceholder(const QString& text);
    void setThreshold(double threshold);
    // Where the heatmap's colours sit; empty: around the threshold shown. A fixed scale
    // keeps the colours while the threshold moves (only the outlines follow it).
    void setColourScale(std::optional<ds::ColourScale> scale);
    ColourBar* colourBar() const { return colourBar_; }
    bool hasImage() const;

    ImageView* view() const { return view_; }
    QSlider* opacitySlider() const { return opacity_; }
    QComboBox* colormapBox() const { return colormap_; }
    QCheckBox* groundTruthBox() const { return groundTruthBox_; }
    QCheckBox* sideBySideBox() const { return sideBySide_; }
    QLabel* pixelReadout() const { return readout_; }

    void setMaskEditingEnabled(bool enabled);
    bool isMaskEditingEnabled() const { return editing_; }
    // The types the mask's values stand for: their names and colours.
    void setDefectTypes(const std::vector<DefectType>& types);
    // The mask of the image shown, as edited: CV_8UC1 at its size, all zero when it has
    // none; empty without an image.
    cv::Mat currentMask() const;
    QUndoStack* undoStack() const; // the shown image's edit history; null without an image
    MaskEditor* maskEditor() const { return maskEditor_; }

Q_SIGNALS:
    // After every mask operation, undo and redo: the whole mask and what was done ("brush",
    // "eraser", "polygon", "flood fill", "accept predicted region", "clear", "undo brush",
    // "redo polygon", …).
    void maskEdited(const cv::Mat& mask, const QString& action);

protected:
    bool event(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void render();
    void updateGroundTruthBox();
    void scheduleRender(); // coalesces bursts (a dragged threshold) into one render per ~30 ms
    void showPixel(QPoint pixel);

    ImageView* view_ = nullptr;
    QLabel* caption_ = nullptr;
    QLabel* readout_ = nullptr;
    QSlider* opacity_ = nullptr;
    QLabel* opacityValue_ = nullptr;
    QComboBox* colormap_ = nullptr;
    ColourBar* colourBar_ = nullptr;
    std::optional<ds::ColourScale> colourScale_;
    QCheckBox* groundTruthBox_ = nullptr;
    QCheckBox* sideBySide_ = nullptr;
    MaskEditor* maskEditor_ = nullptr;

    QString settingsGroup_;
    QTimer* renderTimer_ = nullptr;
    cv::Mat image_;
    cv::Mat heatmap_;
    double threshold_ = 0.0;
    bool editing_ = false;
    // While editing, the overlay without the mask, so a stroke redraws only the mask.
    cv::Mat overlayWithoutMask_;
};

} // namespace ds::ui
