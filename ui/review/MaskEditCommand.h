#pragma once
#include <QString>
#include <QUndoCommand>

#include <opencv2/core.hpp>

#include <functional>

namespace ds::ui {

// One finished edit of a mask, undoable: the rectangle it changed with its pixels before
// and after, so undo and redo restore them exactly. Pushed after the edit was made, so its
// first redo (QUndoStack::push) changes nothing.
class MaskEditCommand : public QUndoCommand {
public:
    // Told after an undo or redo changed the mask, with what was done ("undo brush").
    using Applied = std::function<void(const QString& action)>;

    // mask: the edited mask, which outlives the command; before: mask(rect) before the edit.
    MaskEditCommand(cv::Mat& mask, cv::Rect rect, cv::Mat before, const QString& action, Applied applied);

    void undo() override;
    void redo() override;

private:
    cv::Mat& mask_;
    cv::Rect rect_;
    cv::Mat before_;
    cv::Mat after_;
    Applied applied_;
    bool pushed_ = false;
};

} // namespace ds::ui
