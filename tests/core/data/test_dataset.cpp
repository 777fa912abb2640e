#include "core/Error.h"
#include "core/data/Dataset.h"
#include "datasets/SyntheticDataset.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace ds;
namespace fs = std::filesystem;

class TestDataset : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsMvtecLayoutWithLabelsAndMasks()
    {
        QTemporaryDir dir;
        SyntheticSpec spec;
        spec.category = "tiles";
        spec.imageSize = 48;
        spec.trainGood = 5;
        spec.testGood = 3;
        spec.testDefectsPerType = 2;
        const std::string root = writeSyntheticDataset(dir.path().toStdString(), spec);
        // A stray non-image file must be ignored.
        std::ofstream(fs::path(root) / "train" / "good" / "notes.txt") << "not an image";

        const MvtecDataset dataset = readMvtecDataset(root);
        QCOMPARE(dataset.name, std::string("tiles"));
        QCOMPARE(int(dataset.train.size()), 5);
        const int defectTypeCount = int(defectTypes("tiles").size());
        QCOMPARE(int(dataset.test.size()), 3 + 2 * defectTypeCount);
        int good = 0;
        for (const DatasetItem& item : dataset.test) {
            if (item.isDefective()) {
                QVERIFY2(fs::exists(item.maskPath), item.path.c_str());
                QVERIFY(item.maskPath.find("ground_truth/" + item.label + "/") != std::string::npos);
            } else {
                ++good;
                QVERIFY(item.maskPath.empty());
            }
        }
        QCOMPARE(good, 3);
    }

    // A symlink loop among the images (or as a defect type's folder) is listed for the
    // loader to refuse with its reason, never fatal to the listing.
    void symlinkLoopsDoNotAbortReading()
    {
        QTemporaryDir dir;
        SyntheticSpec spec;
        spec.category = "tiles";
        spec.imageSize = 32;
        spec.trainGood = 3;
        spec.testGood = 2;
        spec.testDefectsPerType = 1;
        const fs::path root = writeSyntheticDataset(dir.path().toStdString(), spec);
        fs::create_symlink(root / "train" / "good" / "loop.png", root / "train" / "good" / "loop.png");
        fs::create_symlink(root / "test" / "looped", root / "test" / "looped");
        const MvtecDataset dataset = readMvtecDataset(root.string());
        QCOMPARE(int(dataset.train.size()), 4);
        QVERIFY(std::any_of(dataset.train.begin(), dataset.train.end(),
                            [](const DatasetItem& item) { return item.path.find("loop.png") != std::string::npos; }));
        QCOMPARE(int(dataset.test.size()), 2 + int(defectTypes("tiles").size()));
    }

    void oneListOfImageFormats()
    {
        for (const char* name : {"a.png", "b.JPG", "c.jpeg", "d.Bmp", "e.tif", "f.TIFF", "g.webp"})
            QVERIFY2(isSupportedImageFile(name), name);
        for (const char* name : {"a.gif", "notes.txt", "png", ".png.bak", "folder/"})
            QVERIFY2(!isSupportedImageFile(name), name);
        for (const std::string& extension : supportedImageExtensions())
            QVERIFY(isSupportedImageFile("x." + extension));
    }

    void refusesFolderWithoutLayout()
    {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(InputError, readMvtecDataset(dir.path().toStdString()));
        fs::create_directories(fs::path(dir.path().toStdString()) / "train" / "good");
        QVERIFY_THROWS_EXCEPTION(InputError, readMvtecDataset(dir.path().toStdString()));
    }

    void goodFolderNeedsImages()
    {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(InputError, readGoodFolder(dir.path().toStdString()));
        std::ofstream(fs::path(dir.path().toStdString()) / "a.PNG") << "x";
        std::ofstream(fs::path(dir.path().toStdString()) / "b.jpeg") << "x";
        QCOMPARE(int(readGoodFolder(dir.path().toStdString()).size()), 2);
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "test_dataset.moc"
