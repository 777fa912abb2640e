#include "core/Error.h"
#include "core/data/Dataset.h"
#include "datasets/SyntheticDataset.h"

#include <QTemporaryDir>
#include <QTest>

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
