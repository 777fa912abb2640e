#include "ui/review/MaskEditor.h"

#include "ui/review/MaskEditCommand.h"
#include "ui/review/MaskOverlay.h"
#include "ui/review/MaskPainting.h"
#include "ui/widgets/ImageView.h"

#include <QAction>
#include <QButtonGroup>
#include <QComboBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPixmap>
#include <QSpinBox>
#include <QToolButton>
#include <QUndoGroup>
#include <QUndoStack>

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace ds::ui {

namespace {

constexpr std::int64_t kNoImageId = -1;
constexpr int kMaxBrushSize = 512;

QToolButton* textButton(const QString& text, const QString& tip, const QString& objectName)
{
    auto* button = new QToolButton;
    button->setText(text);
    button->setToolTip(tip);
    button->setObjectName(objectName);
    button->setAutoRaise(true);
    return button;
}

QIcon swatch(const QColor& colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(colour);
    return QIcon(pixmap);
}

cv::Point2d toCv(QPointF point)
{
    return {point.x(), point.y()};
}

} // namespace

MaskEditor::MaskEditor(ImageView* view, QWidget* parent)
    : QWidget(parent)
    , view_(view)
{
    tools_ = new QButtonGroup(this);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(QStringLiteral("Mask:")));
    const struct {
        Tool tool;
        QString text, tip, name;
    } tools[] = {
        {Tool::Brush, QStringLiteral("Brush"), QStringLiteral("Paint the current defect type (B)"), QStringLiteral("brushTool")},
        {Tool::Eraser, QStringLiteral("Eraser"), QStringLiteral("Erase to background (E)"), QStringLiteral("eraserTool")},
        {Tool::Polygon, QStringLiteral("Polygon"),
         QStringLiteral("Click the vertices; Enter or double-click fills, Backspace drops the last vertex, Esc cancels (L)"),
         QStringLiteral("polygonTool")},
        {Tool::FloodFill, QStringLiteral("Fill"), QStringLiteral("Fill the connected region of similar colour in the image (R)"),
         QStringLiteral("fillTool")},
    };
    for (const auto& [tool, text, tip, name] : tools) {
        QToolButton* button = textButton(text, tip, name);
        button->setCheckable(true);
        button->setChecked(tool == tool_);
        tools_->addButton(button, int(tool));
        layout->addWidget(button);
    }
    connect(tools_, &QButtonGroup::idClicked, this, [this](int id) { setTool(Tool(id)); });

    brushSize_ = new QSpinBox;
    brushSize_->setObjectName(QStringLiteral("brushSize"));
    brushSize_->setRange(1, kMaxBrushSize);
    brushSize_->setValue(16);
    brushSize_->setSuffix(QStringLiteral(" px"));
    brushSize_->setToolTip(QStringLiteral("Brush and eraser diameter in image pixels ([ and ])"));
    connect(brushSize_, &QSpinBox::valueChanged, this, &MaskEditor::updateView);
    layout->addSpacing(6);
    layout->addWidget(new QLabel(QStringLiteral("Size")));
    layout->addWidget(brushSize_);

    fillTolerance_ = new QSpinBox;
    fillTolerance_->setObjectName(QStringLiteral("fillTolerance"));
    fillTolerance_->setRange(0, 255);
    fillTolerance_->setValue(24);
    fillTolerance_->setPrefix(QStringLiteral("± "));
    fillTolerance_->setToolTip(
        QStringLiteral("Flood fill: how far each colour channel (0–255) may differ from the clicked pixel's"));
    layout->addWidget(new QLabel(QStringLiteral("Tolerance")));
    layout->addWidget(fillTolerance_);
    layout->addSpacing(6);

    defectType_ = new QComboBox;
    defectType_->setObjectName(QStringLiteral("defectTypeBox"));
    defectType_->setToolTip(QStringLiteral("Defect type the brush, polygon, fill and accepted region paint"));
    defectType_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    layout->addWidget(defectType_);
    layout->addSpacing(6);
    setDefectTypes({});

    acceptPredicted_
        = textButton(QStringLiteral("Accept Predicted"),
                     QStringLiteral("Add the predicted defect region at the current threshold to the mask, as the current type"),
                     QStringLiteral("acceptPredictedButton"));
    connect(acceptPredicted_, &QToolButton::clicked, this, &MaskEditor::acceptPredictedRegion);
    layout->addWidget(acceptPredicted_);
    clear_ = textButton(QStringLiteral("Clear"), QStringLiteral("Erase the whole mask"), QStringLiteral("clearMaskButton"));
    connect(clear_, &QToolButton::clicked, this, &MaskEditor::clearMask);
    layout->addWidget(clear_);

    undoGroup_ = new QUndoGroup(this);
    undoAction_ = new QAction(QStringLiteral("Undo"), this);
    undoAction_->setShortcut(QKeySequence::Undo);
    connect(undoAction_, &QAction::triggered, undoGroup_, &QUndoGroup::undo);
    redoAction_ = new QAction(QStringLiteral("Redo"), this);
    redoAction_->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    connect(redoAction_, &QAction::triggered, undoGroup_, &QUndoGroup::redo);
    for (QAction* action : {undoAction_, redoAction_})
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(undoGroup_, &QUndoGroup::canUndoChanged, this, &MaskEditor::updateActions);
    connect(undoGroup_, &QUndoGroup::canRedoChanged, this, &MaskEditor::updateActions);
    connect(undoGroup_, &QUndoGroup::undoTextChanged, this, &MaskEditor::updateActions);
    connect(undoGroup_, &QUndoGroup::redoTextChanged, this, &MaskEditor::updateActions);
    QToolButton* undo = textButton(QStringLiteral("Undo"), QString(), QStringLiteral("undoButton"));
    undo->setDefaultAction(undoAction_);
    QToolButton* redo = textButton(QStringLiteral("Redo"), QString(), QStringLiteral("redoButton"));
    redo->setDefaultAction(redoAction_);
    layout->addWidget(undo);
    layout->addWidget(redo);
    layout->addStretch(1);

    connect(view_, &ImageView::imagePressed, this, &MaskEditor::pressed);
    connect(view_, &ImageView::imageDragged, this, &MaskEditor::dragged);
    connect(view_, &ImageView::imageReleased, this, &MaskEditor::released);
    connect(view_, &ImageView::imageClicked, this, &MaskEditor::clicked);
    connect(view_, &ImageView::imageDoubleClicked, this, &MaskEditor::doubleClicked);
    updateActions();
}

// ---- Image and history -------------------------------------------------------------------

void MaskEditor::setImage(const cv::Mat& image, const cv::Mat& anomalyMap, const cv::Mat& mask, std::int64_t imageId)
{
    cancelPolygon();
    stroking_ = false;
    image_ = image;
    image8_.release();
    anomalyMap_ = anomalyMap;

    cv::Mat shown = mask.empty() ? cv::Mat::zeros(image.size(), CV_8UC1) : mask;
    CV_Assert(shown.type() == CV_8UC1 && shown.size() == image.size());
    std::unique_ptr<ImageEdits>& edits = edits_[std::max(imageId, kNoImageId)];
    if (!edits) {
        edits = std::make_unique<ImageEdits>();
        edits->history = new QUndoStack(this);
        undoGroup_->addStack(edits->history);
    }
    // The history holds only while it describes the mask shown (the project may have
    // changed it since, e.g. deleting a defect type).
    const bool historyHolds
        = imageId > kNoImageId && edits->mask.size() == shown.size() && cv::countNonZero(edits->mask != shown) == 0;
    if (!historyHolds) {
        edits->history->clear();
        edits->mask = shown.clone();
    }
    current_ = edits.get();
    undoGroup_->setActiveStack(current_->history);
    updateActions();
}

void MaskEditor::clearImage()
{
    cancelPolygon();
    stroking_ = false;
    image_.release();
    image8_.release();
    anomalyMap_.release();
    current_ = nullptr;
    undoGroup_->setActiveStack(nullptr);
    updateActions();
}

void MaskEditor::forgetHistory()
{
    for (auto it = edits_.begin(); it != edits_.end();) {
        if (it->second.get() == current_) {
            current_->history->clear();
            ++it;
        } else {
            delete it->second->history;
            it = edits_.erase(it);
        }
    }
}

const cv::Mat& MaskEditor::mask() const
{
    static const cv::Mat none;
    return current_ ? current_->mask : none;
}

QUndoStack* MaskEditor::undoStack() const
{
    return current_ ? current_->history : nullptr;
}

void MaskEditor::setThreshold(double threshold)
{
    threshold_ = threshold;
}

void MaskEditor::setDefectTypes(const std::vector<DefectType>& types)
{
    const int current = defectType_->count() > 0 ? currentValue() : kUntypedDefect;
    types_ = types;
    const QSignalBlocker blocker(defectType_);
    defectType_->clear();
    defectType_->addItem(swatch(kUntypedDefectColour), QStringLiteral("Untyped"), kUntypedDefect);
    for (const DefectType& type : types_)
        defectType_->addItem(swatch(maskValueColour(type.id, types_)), QString::fromStdString(type.name), type.id);
    setCurrentValue(current);
}

// ---- Tool settings -----------------------------------------------------------------------

void MaskEditor::setActive(bool active)
{
    if (!active) {
        cancelPolygon();
        stroking_ = false;
    }
    active_ = active;
    view_->setInteraction(active ? ImageView::Interaction::Edit : ImageView::Interaction::Pan);
    updateView();
    updateActions();
}

void MaskEditor::setTool(Tool tool)
{
    if (tool != Tool::Polygon)
        cancelPolygon();
    tool_ = tool;
    tools_->button(int(tool))->setChecked(true);
    updateView();
}

int MaskEditor::brushSize() const
{
    return brushSize_->value();
}

void MaskEditor::setBrushSize(int pixels)
{
    brushSize_->setValue(pixels);
}

int MaskEditor::currentValue() const
{
    return defectType_->currentData().toInt();
}

void MaskEditor::setCurrentValue(int value)
{
    defectType_->setCurrentIndex(std::max(0, defectType_->findData(value)));
}

void MaskEditor::updateView()
{
    const bool brush = active_ && (tool_ == Tool::Brush || tool_ == Tool::Eraser);
    view_->setBrushRadius(brush ? brushSize() / 2.0 : 0.0);
}

void MaskEditor::updateActions()
{
    undoAction_->setEnabled(active_ && undoGroup_->canUndo());
    redoAction_->setEnabled(active_ && undoGroup_->canRedo());
    undoAction_->setToolTip(undoGroup_->canUndo() ? QStringLiteral("Undo %1 (Ctrl+Z)").arg(undoGroup_->undoText())
                                                  : QStringLiteral("Undo (Ctrl+Z)"));
    redoAction_->setToolTip(undoGroup_->canRedo() ? QStringLiteral("Redo %1 (Ctrl+Shift+Z)").arg(undoGroup_->redoText())
                                                  : QStringLiteral("Redo (Ctrl+Shift+Z)"));
    acceptPredicted_->setEnabled(current_ && !anomalyMap_.empty());
    clear_->setEnabled(current_ != nullptr);
}

// ---- Keys --------------------------------------------------------------------------------

bool MaskEditor::wantsKey(const QKeyEvent& event) const
{
    if (!active_ || (event.modifiers() & ~(Qt::ShiftModifier | Qt::KeypadModifier)))
        return false;
    switch (event.key()) {
    case Qt::Key_B:
    case Qt::Key_E:
    case Qt::Key_L:
    case Qt::Key_R:
    case Qt::Key_BracketLeft:
    case Qt::Key_BracketRight: return true;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Backspace:
    case Qt::Key_Escape: return polygonPending();
    default: return false;
    }
}

bool MaskEditor::handleKey(const QKeyEvent& event)
{
    if (!wantsKey(event))
        return false;
    switch (event.key()) {
    case Qt::Key_B: setTool(Tool::Brush); break;
    case Qt::Key_E: setTool(Tool::Eraser); break;
    case Qt::Key_L: setTool(Tool::Polygon); break;
    case Qt::Key_R: setTool(Tool::FloodFill); break;
    case Qt::Key_BracketLeft: // a quarter smaller or larger per press, at least one pixel
        setBrushSize(std::min(brushSize() - 1, int(std::lround(brushSize() / 1.25))));
        break;
    case Qt::Key_BracketRight: setBrushSize(std::max(brushSize() + 1, int(std::lround(brushSize() * 1.25)))); break;
    case Qt::Key_Return:
    case Qt::Key_Enter: closePolygon(); break;
    case Qt::Key_Backspace:
        polygon_.pop_back();
        showPolygon();
        break;
    case Qt::Key_Escape: cancelPolygon(); break;
    }
    return true;
}

// ---- Operations --------------------------------------------------------------------------

void MaskEditor::pressed(QPointF point)
{
    if (!active_ || !current_ || (tool_ != Tool::Brush && tool_ != Tool::Eraser))
        return;
    beginEdit();
    stroking_ = true;
    strokeLast_ = point;
    paintTo(point);
}

void MaskEditor::dragged(QPointF point)
{
    if (stroking_)
        paintTo(point);
}

void MaskEditor::released(QPointF point)
{
    if (!stroking_)
        return;
    paintTo(point);
    stroking_ = false;
    finishEdit(tool_ == Tool::Brush ? QStringLiteral("brush") : QStringLiteral("eraser"));
}

void MaskEditor::paintTo(QPointF point)
{
    const uchar value = tool_ == Tool::Eraser ? 0 : uchar(currentValue());
    paintSegment(current_->mask, toCv(strokeLast_), toCv(point), brushSize() / 2.0, value);
    strokeLast_ = point;
    Q_EMIT maskChanged();
}

void MaskEditor::clicked(QPointF point)
{
    if (!active_ || !current_)
        return;
    if (tool_ == Tool::Polygon) {
        polygon_.push_back(toCv(point));
        showPolygon();
    } else if (tool_ == Tool::FloodFill) {
        floodFill(point);
    }
}

void MaskEditor::doubleClicked(QPointF)
{
    if (active_ && tool_ == Tool::Polygon)
        closePolygon();
}

void MaskEditor::closePolygon()
{
    if (!current_ || polygon_.size() < 3) {
        cancelPolygon();
        return;
    }
    beginEdit();
    fillPolygon(current_->mask, polygon_, uchar(currentValue()));
    cancelPolygon();
    finishEdit(QStringLiteral("polygon"));
}

void MaskEditor::cancelPolygon()
{
    if (polygon_.empty())
        return;
    polygon_.clear();
    showPolygon();
}

void MaskEditor::showPolygon()
{
    QPolygonF vertices;
    for (const cv::Point2d& vertex : polygon_)
        vertices << QPointF(vertex.x, vertex.y);
    view_->setPolygonPreview(vertices);
}

void MaskEditor::floodFill(QPointF point)
{
    if (image8_.empty())
        image_.convertTo(image8_, CV_8U, image_.depth() == CV_8U ? 1.0 : 255.0);
    const cv::Point seed(int(std::floor(point.x())), int(std::floor(point.y())));
    const cv::Mat region = similarColourRegion(image8_, seed, fillTolerance_->value());
    beginEdit();
    current_->mask.setTo(currentValue(), region);
    finishEdit(QStringLiteral("flood fill"));
}

void MaskEditor::acceptPredictedRegion()
{
    if (!current_ || anomalyMap_.empty())
        return;
    beginEdit();
    current_->mask.setTo(currentValue(), predictedRegion(anomalyMap_, image_.size(), threshold_));
    finishEdit(QStringLiteral("accept predicted region"));
}

void MaskEditor::clearMask()
{
    if (!current_)
        return;
    beginEdit();
    current_->mask.setTo(0);
    finishEdit(QStringLiteral("clear"));
}

void MaskEditor::beginEdit()
{
    before_ = current_->mask.clone();
}

void MaskEditor::finishEdit(const QString& action)
{
    const cv::Mat changed = before_ != current_->mask;
    const cv::Rect rect = cv::boundingRect(changed);
    if (rect.empty()) { // nothing changed: no step to undo, nothing to save
        before_.release();
        return;
    }
    current_->history->push(new MaskEditCommand(current_->mask, rect, before_(rect).clone(), action,
                                                [this](const QString& done) { announce(done); }));
    before_.release();
    announce(action);
}

void MaskEditor::announce(const QString& action)
{
    Q_EMIT maskChanged();
    Q_EMIT maskEdited(current_->mask.clone(), action);
}

} // namespace ds::ui
