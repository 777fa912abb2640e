#pragma once
#include <QStringList>

namespace ds::ui {

// What paths dropped on the window (or given on the command line) ask for.
struct DroppedPaths {
    enum class Kind {
        Project, // one .dsproj file: open it
        GoodImages, // image files: import them for training
        Dataset, // one folder in the MVTec AD layout (it has train/good): import it
        GoodFolder, // one other folder: import its images for training
        Unusable, // nothing of the above
    } kind
        = Kind::Unusable;
    QStringList paths; // the paths to act on (image files only, for GoodImages)
};

DroppedPaths classifyDroppedPaths(const QStringList& paths);

} // namespace ds::ui
