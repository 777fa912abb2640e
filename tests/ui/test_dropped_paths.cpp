// What paths dropped on the window ask for: open a project, import image files for
// training, import a dataset in the MVTec layout, or a folder of good parts.
#include "ui/DroppedPaths.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using Kind = ds::ui::DroppedPaths::Kind;

class TestDroppedPaths : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eachDropAsksForOneThing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QDir root(dir.path());
        QVERIFY(root.mkpath(QStringLiteral("bottle/train/good")));
        QVERIFY(root.mkpath(QStringLiteral("parts")));
        const auto touch = [&](const QString& name) {
            QFile file(root.filePath(name));
            return file.open(QIODevice::WriteOnly) ? file.fileName() : QString();
        };
        const QString png = touch(QStringLiteral("a.png")), jpeg = touch(QStringLiteral("b.JPG")),
                      text = touch(QStringLiteral("notes.txt")), project = touch(QStringLiteral("line 3.dsproj"));

        QCOMPARE(ds::ui::classifyDroppedPaths({project}).kind, Kind::Project);
        // Images among other things: the images, and only they.
        const ds::ui::DroppedPaths images
            = ds::ui::classifyDroppedPaths({png, text, jpeg, root.filePath(QStringLiteral("parts"))});
        QCOMPARE(images.kind, Kind::GoodImages);
        QCOMPARE(images.paths, QStringList({png, jpeg}));
        const ds::ui::DroppedPaths dataset = ds::ui::classifyDroppedPaths({root.filePath(QStringLiteral("bottle"))});
        QCOMPARE(dataset.kind, Kind::Dataset);
        QCOMPARE(dataset.paths, QStringList({root.filePath(QStringLiteral("bottle"))}));
        QCOMPARE(ds::ui::classifyDroppedPaths({root.filePath(QStringLiteral("parts"))}).kind, Kind::GoodFolder);
        // Nothing usable: no images and not one folder; a project among other files.
        QCOMPARE(ds::ui::classifyDroppedPaths({text}).kind, Kind::Unusable);
        QCOMPARE(
            ds::ui::classifyDroppedPaths({root.filePath(QStringLiteral("parts")), root.filePath(QStringLiteral("bottle"))}).kind,
            Kind::Unusable);
        QCOMPARE(ds::ui::classifyDroppedPaths({project, text}).kind, Kind::Unusable);
        QCOMPARE(ds::ui::classifyDroppedPaths({}).kind, Kind::Unusable);
    }
};

QTEST_MAIN(TestDroppedPaths)
#include "test_dropped_paths.moc"
