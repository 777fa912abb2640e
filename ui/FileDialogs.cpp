#include "ui/FileDialogs.h"

#include <QFileDialog>

namespace ds::ui {

namespace {

QStringList runDialog(QWidget* parent, const QString& caption, const QString& dir, const QString& filter,
                      QFileDialog::FileMode mode, QFileDialog::AcceptMode accept)
{
    static ExtensionIconProvider icons;
    QFileDialog dialog(parent, caption, dir, filter);
    // The platform's dialog would bring its own type guessing: ours, with the provider.
    dialog.setOption(QFileDialog::DontUseNativeDialog);
    dialog.setIconProvider(&icons);
    dialog.setFileMode(mode);
    dialog.setAcceptMode(accept);
    if (mode == QFileDialog::Directory)
        dialog.setOption(QFileDialog::ShowDirsOnly);
    return dialog.exec() == QDialog::Accepted ? dialog.selectedFiles() : QStringList();
}

} // namespace

QIcon ExtensionIconProvider::icon(const QFileInfo& info) const
{
    return QFileIconProvider::icon(info.isDir() ? QFileIconProvider::Folder : QFileIconProvider::File);
}

QString ExtensionIconProvider::type(const QFileInfo& info) const
{
    if (info.isDir())
        return QStringLiteral("Folder");
    const QString suffix = info.suffix();
    return suffix.isEmpty() ? QStringLiteral("File") : suffix.toUpper() + QStringLiteral(" File");
}

QString askOpenFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter)
{
    return runDialog(parent, caption, dir, filter, QFileDialog::ExistingFile, QFileDialog::AcceptOpen).value(0);
}

QStringList askOpenFileNames(QWidget* parent, const QString& caption, const QString& dir, const QString& filter)
{
    return runDialog(parent, caption, dir, filter, QFileDialog::ExistingFiles, QFileDialog::AcceptOpen);
}

QString askSaveFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter)
{
    return runDialog(parent, caption, dir, filter, QFileDialog::AnyFile, QFileDialog::AcceptSave).value(0);
}

QString askExistingDirectory(QWidget* parent, const QString& caption, const QString& dir)
{
    return runDialog(parent, caption, dir, {}, QFileDialog::Directory, QFileDialog::AcceptOpen).value(0);
}

} // namespace ds::ui
