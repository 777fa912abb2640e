#pragma once
#include "core/ProjectTypes.h"

#include <QPointF>
#include <QWidget>

#include <opencv2/core.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

class QAction;
class QButtonGroup;
class QComboBox;
class QKeyEvent;
class QSpinBox;
class QToolButton;
class QUndoGroup;
class QUndoStack;

namespace ds::ui {

class ImageView;

// The mask toolbar and what its tools do to the defect mask of the image in a view: brush,
// eraser, polygon, flood fill by colour, accepting the predicted region, clearing; each
// finished operation one undoable step. Every image keeps its own undo history (its
// QUndoStack, kept for the session in one QUndoGroup) as long as the mask it is shown with
// again is the one its history left.
//
// Keys, while active: B brush, E eraser, L polygon, R flood fill (F fits the view, G marks
// an image Good), [ and ] brush size; polygon: click vertices, Enter or double-click
// closes, Backspace drops the last vertex, Esc cancels.
class MaskEditor : public QWidget {
    Q_OBJECT
public:
    enum class Tool { Brush, Eraser, Polygon, FloodFill };

    // Edits what view shows (it reports the edit gestures and draws the brush outline).
    explicit MaskEditor(ImageView* view, QWidget* parent = nullptr);

    // image: CV_32FC3 RGB [0, 1]; anomalyMap: CV_32F at any size (may be empty); mask:
    // CV_8UC1 at the image's size (empty: none). imageId < 0 keeps no history across images.
    void setImage(const cv::Mat& image, const cv::Mat& anomalyMap, const cv::Mat& mask, std::int64_t imageId);
    void clearImage(); // keeps every image's history
    void setThreshold(double threshold); // what acceptPredictedRegion takes as the predicted region
    void setDefectTypes(const std::vector<DefectType>& types);
    const std::vector<DefectType>& defectTypes() const { return types_; }

    // Tools act on the view's edit gestures only while active; the view edits then.
    void setActive(bool active);
    bool isActive() const { return active_; }

    // The mask of the image shown (CV_8UC1 at its size, all zero when it has none); empty
    // without an image.
    const cv::Mat& mask() const;
    QUndoStack* undoStack() const; // the shown image's history; null without an image
    QUndoGroup* undoGroup() const { return undoGroup_; }
    void forgetHistory(); // of every image (e.g. another project opens)
    // Ctrl+Z and Ctrl+Shift+Z / Ctrl+Y, to add to the widget whose focus they follow.
    QAction* undoAction() const { return undoAction_; }
    QAction* redoAction() const { return redoAction_; }

    Tool tool() const { return tool_; }
    void setTool(Tool tool);
    int brushSize() const; // diameter in image pixels
    void setBrushSize(int pixels);
    int currentValue() const; // the mask value painted: a defect type id or kUntypedDefect
    void setCurrentValue(int value);

    // Whether handleKey acts on this key now; for a ShortcutOverride, so the window's own
    // shortcuts (Esc) don't take keys that mean something here.
    bool wantsKey(const QKeyEvent& event) const;
    bool handleKey(const QKeyEvent& event); // true when it acted

public Q_SLOTS:
    void acceptPredictedRegion();
    void clearMask();
    void closePolygon();
    void cancelPolygon();

Q_SIGNALS:
    // After every operation, undo and redo, with what was done: "brush", "eraser",
    // "polygon", "flood fill", "accept predicted region", "clear", "undo brush", "redo clear"…
    void maskEdited(const cv::Mat& mask, const QString& action);
    void maskChanged(); // pixels changed, also during a stroke: redraw

private:
    struct ImageEdits {
        cv::Mat mask;
        QUndoStack* history = nullptr;
    };

    void pressed(QPointF point);
    void dragged(QPointF point);
    void released(QPointF point);
    void clicked(QPointF point);
    void doubleClicked(QPointF point);
    void paintTo(QPointF point);
    void floodFill(QPointF point);
    void showPolygon();
    void beginEdit();
    void finishEdit(const QString& action);
    void announce(const QString& action);
    void updateView();
    void updateActions();
    bool polygonPending() const { return !polygon_.empty(); }

    ImageView* view_ = nullptr;
    QButtonGroup* tools_ = nullptr;
    QSpinBox* brushSize_ = nullptr;
    QSpinBox* fillTolerance_ = nullptr;
    QComboBox* defectType_ = nullptr;
    QToolButton* acceptPredicted_ = nullptr;
    QToolButton* clear_ = nullptr;
    QUndoGroup* undoGroup_ = nullptr;
    QAction* undoAction_ = nullptr;
    QAction* redoAction_ = nullptr;

    bool active_ = false;
    Tool tool_ = Tool::Brush;
    std::vector<DefectType> types_;
    cv::Mat image_;
    cv::Mat image8_; // the image in 8 bits for flood fill, made on first use
    cv::Mat anomalyMap_;
    double threshold_ = 0.0;
    std::map<std::int64_t, std::unique_ptr<ImageEdits>> edits_; // by image id
    ImageEdits* current_ = nullptr;

    cv::Mat before_; // the mask when the operation under way began
    bool stroking_ = false;
    QPointF strokeLast_;
    std::vector<cv::Point2d> polygon_;
};

} // namespace ds::ui
