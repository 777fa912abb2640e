#include "ui/DroppedPaths.h"

#include "core/data/Dataset.h"

#include <QDir>
#include <QFileInfo>

namespace ds::ui {

DroppedPaths classifyDroppedPaths(const QStringList& paths)
{
    if (paths.size() == 1 && paths.first().endsWith(QStringLiteral(".dsproj"), Qt::CaseInsensitive))
        return {DroppedPaths::Kind::Project, paths};
    QStringList images, folders;
    for (const QString& path : paths) {
        if (QFileInfo(path).isDir())
            folders << path;
        else if (ds::isSupportedImageFile(path.toStdString()))
            images << path;
    }
    if (!images.isEmpty())
        return {DroppedPaths::Kind::GoodImages, images};
    if (folders.size() != 1)
        return {};
    // A folder in the MVTec layout brings test images and masks; any other is good parts.
    const bool dataset = QFileInfo(QDir(folders.first()).filePath(QStringLiteral("train/good"))).isDir();
    return {dataset ? DroppedPaths::Kind::Dataset : DroppedPaths::Kind::GoodFolder, folders};
}

} // namespace ds::ui
