#pragma once
#include "core/storage/ProjectFile.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>

namespace ds::ui {

// The project open in the window: its path, the GUI thread's own connection (reads, and
// the short writes a person's actions make), the view to come back to, and the list of
// recently opened projects.
class ProjectSession : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Opens (creating when missing) path in place of the open project; throws ds::Error
    // (nothing changes) when it cannot be opened.
    void open(const QString& path);
    void close();
    // Writes a copy of the open project to path (it stays open; open the copy to go on).
    void saveCopyAs(const QString& path) const;

    bool isOpen() const { return file_ != nullptr; }
    ds::ProjectFile* file() const { return file_.get(); }
    QString path() const { return path_; }

    // The model and image shown when the project was last closed (0 when unknown).
    struct View {
        std::int64_t modelId = 0;
        std::int64_t imageId = 0;
    };
    View lastView() const;
    // Throws ds::Error when it cannot be written.
    void saveView(const View& view) const;

    static QStringList recentProjects();
    static void clearRecentProjects();

private:
    static void rememberRecent(const QString& path);

    std::unique_ptr<ds::ProjectFile> file_;
    QString path_;
};

} // namespace ds::ui
