// The workbench's file dialogs list the open project without reading it: Qt's own type
// guessing opens and closes the file, and that close drops this process's SQLite locks on
// the project (another process may then delete its write-ahead log under our connection).
#include "core/storage/ProjectFile.h"
#include "tests/support/ProcessLocks.h"
#include "ui/FileDialogs.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

class TestFileDialogs : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void listingTheOpenProjectKeepsItsLocks()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath(QStringLiteral("open.dsproj")).toStdString();
        const ds::ProjectFile project = ds::ProjectFile::openOrCreate(path);
        QVERIFY(project.models().empty()); // a read: the connection holds its locks now
        const int held = ds::test::locksHeldOn(path);
        QVERIFY(held > 0);

        const QFileInfo listed(QString::fromStdString(path));
        ds::ui::ExtensionIconProvider icons;
        QCOMPARE(icons.type(listed), QStringLiteral("DSPROJ File"));
        QVERIFY(!icons.icon(listed).isNull());
        QCOMPARE(icons.type(QFileInfo(dir.path())), QStringLiteral("Folder"));
        QCOMPARE(ds::test::locksHeldOn(path), held);

        // What Qt's own provider does to the same file, the reason for the one above.
        (void)QFileIconProvider().type(listed);
        QVERIFY2(ds::test::locksHeldOn(path) < held, "Qt's type guessing no longer reads the file: the guard may go");
    }
};

QTEST_MAIN(TestFileDialogs)
#include "test_file_dialogs.moc"
