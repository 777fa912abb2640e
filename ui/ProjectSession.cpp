#include "ui/ProjectSession.h"

#include <QFileInfo>
#include <QSettings>

#include <string>

namespace ds::ui {

namespace {
constexpr int kMaxRecentProjects = 8;
const QString kRecentProjectsKey = QStringLiteral("recentProjects");
} // namespace

void ProjectSession::open(const QString& path)
{
    auto file = std::make_unique<ds::ProjectFile>(ds::ProjectFile::openOrCreate(path.toStdString()));
    file_ = std::move(file);
    path_ = QFileInfo(path).absoluteFilePath();
    rememberRecent(path_);
}

void ProjectSession::close()
{
    file_.reset();
    path_.clear();
}

void ProjectSession::saveCopyAs(const QString& path) const
{
    if (file_)
        file_->saveCopyAs(QFileInfo(path).absoluteFilePath().toStdString());
}

ProjectSession::View ProjectSession::lastView() const
{
    View view;
    if (!file_)
        return view;
    try {
        if (const auto stored = file_->setting("view/lastModelId"))
            view.modelId = QString::fromStdString(*stored).toLongLong();
        if (const auto stored = file_->setting("view/lastImageId"))
            view.imageId = QString::fromStdString(*stored).toLongLong();
    } catch (const std::exception&) {
        // View state is a convenience: a project without it opens as new.
    }
    return view;
}

void ProjectSession::saveView(const View& view) const
{
    if (!file_)
        return;
    if (view.modelId)
        file_->setSetting("view/lastModelId", std::to_string(view.modelId));
    if (view.imageId)
        file_->setSetting("view/lastImageId", std::to_string(view.imageId));
}

QStringList ProjectSession::recentProjects()
{
    return QSettings().value(kRecentProjectsKey).toStringList();
}

void ProjectSession::clearRecentProjects()
{
    QSettings().remove(kRecentProjectsKey);
}

void ProjectSession::rememberRecent(const QString& path)
{
    QStringList recent = recentProjects();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecentProjects)
        recent.removeLast();
    QSettings().setValue(kRecentProjectsKey, recent);
}

} // namespace ds::ui
