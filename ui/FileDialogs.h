#pragma once
#include <QFileIconProvider>
#include <QString>
#include <QStringList>

class QWidget;

namespace ds::ui {

// File dialogs that never read the files they list. Qt's own dialog guesses an unknown
// file's type by reading it, and closing that descriptor drops every POSIX lock this
// process holds on the file: for the open project, SQLite's locks, after which another
// process may checkpoint and delete the write-ahead log under our connection ("disk I/O
// error"). These dialogs name file types by their extension only.
QString askOpenFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter);
QStringList askOpenFileNames(QWidget* parent, const QString& caption, const QString& dir, const QString& filter);
QString askSaveFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter);
QString askExistingDirectory(QWidget* parent, const QString& caption, const QString& dir = {});

// Icons and type names from the name alone (the dialogs above use it).
class ExtensionIconProvider : public QFileIconProvider {
public:
    QIcon icon(const QFileInfo& info) const override;
    QString type(const QFileInfo& info) const override;
    using QFileIconProvider::icon;
};

} // namespace ds::ui
