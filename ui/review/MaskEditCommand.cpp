#include "ui/review/MaskEditCommand.h"

namespace ds::ui {

MaskEditCommand::MaskEditCommand(cv::Mat& mask, cv::Rect rect, cv::Mat before, const QString& action, Applied applied)
    : QUndoCommand(action)
    , mask_(mask)
    , rect_(rect)
    , before_(std::move(before))
    , after_(mask(rect).clone())
    , applied_(std::move(applied))
{
}

void MaskEditCommand::undo()
{
    before_.copyTo(mask_(rect_));
    applied_(QStringLiteral("undo ") + text());
}

void MaskEditCommand::redo()
{
    if (!pushed_) { // the edit is already in the mask
        pushed_ = true;
        return;
    }
    after_.copyTo(mask_(rect_));
    applied_(QStringLiteral("redo ") + text());
}

} // namespace ds::ui
