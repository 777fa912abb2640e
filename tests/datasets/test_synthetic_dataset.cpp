#include "datasets/SyntheticDataset.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <set>
#include <stdexcept>

namespace {

QString qs(const std::string& text)
{
    return QString::fromStdString(text);
}

std::string path(const QString& text)
{
    return text.toStdString();
}

QStringList sortedFiles(const QString& dir)
{
    return QDir(dir).entryList(QDir::Files, QDir::Name);
}

QStringList sortedSubdirs(const QString& dir)
{
    return QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
}

QStringList indexedNames(int count, const QString& suffix)
{
    QStringList names;
    for (int i = 0; i < count; ++i)
        names << QStringLiteral("%1%2").arg(i, 3, 10, QLatin1Char('0')).arg(suffix);
    return names;
}

bool isBinaryMask(const cv::Mat& mask)
{
    return cv::countNonZero(mask) == cv::countNonZero(mask == 255);
}

// Mean absolute difference over the channels, per pixel (CV_32F).
cv::Mat meanChannelDifference(const cv::Mat& a, const cv::Mat& b)
{
    cv::Mat difference, asFloat, mean;
    cv::absdiff(a, b, difference);
    difference.convertTo(asFloat, CV_32F);
    cv::transform(asFloat, mean, cv::Matx13f(1.f / 3, 1.f / 3, 1.f / 3));
    return mean;
}

void addCategoryRows()
{
    QTest::addColumn<QString>("category");
    for (const std::string& category : ds::syntheticCategories())
        QTest::newRow(category.c_str()) << qs(category);
}

void addDefectRows()
{
    QTest::addColumn<QString>("category");
    QTest::addColumn<QString>("defectType");
    for (const std::string& category : ds::syntheticCategories())
        for (const std::string& type : ds::defectTypes(category))
            QTest::addRow("%s/%s", category.c_str(), type.c_str()) << qs(category) << qs(type);
}

} // namespace

class TestSyntheticDataset : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void categoriesHaveSeveralDefectTypes();
    void writesMvtecLayout_data() { addCategoryRows(); }
    void writesMvtecLayout();
    void defectMasksAreBinaryWithPlausibleArea_data() { addDefectRows(); }
    void defectMasksAreBinaryWithPlausibleArea();
    void defectChangesPixelsOnlyAroundItsMask_data() { addDefectRows(); }
    void defectChangesPixelsOnlyAroundItsMask();
    void goodImagesVaryButLookAlike_data() { addCategoryRows(); }
    void goodImagesVaryButLookAlike();
    void sizesShowTheSameScene();
    void sameArgumentsGiveSameImages();
    void sameSpecWritesByteIdenticalFiles();
    void unwritableRootThrowsRuntimeError();
    void invalidArgumentsThrow();
};

void TestSyntheticDataset::categoriesHaveSeveralDefectTypes()
{
    const std::vector<std::string> categories = ds::syntheticCategories();
    const std::set<std::string> names(categories.begin(), categories.end());
    QCOMPARE(names.size(), categories.size());
    for (const char* required : {"fabric", "tiles", "part"})
        QVERIFY2(names.count(required) == 1, required);

    const QRegularExpression folderName(QStringLiteral("^[a-z][a-z_]*$"));
    for (const std::string& category : categories) {
        const std::vector<std::string> types = ds::defectTypes(category);
        QVERIFY2(types.size() >= 3, category.c_str());
        QCOMPARE(std::set<std::string>(types.begin(), types.end()).size(), types.size());
        for (const std::string& type : types) {
            QVERIFY2(folderName.match(qs(type)).hasMatch(), type.c_str());
            QVERIFY(type != "good");
        }
    }
}

void TestSyntheticDataset::writesMvtecLayout()
{
    QFETCH(QString, category);
    QTemporaryDir root;
    QVERIFY(root.isValid());
    ds::SyntheticSpec spec;
    spec.category = path(category);
    spec.imageSize = 64;
    spec.trainGood = 3;
    spec.testGood = 2;
    spec.testDefectsPerType = 2;
    spec.seed = 7;

    const QString categoryDir = qs(ds::writeSyntheticDataset(path(root.path()), spec));
    QCOMPARE(QDir(categoryDir).canonicalPath(), QDir(root.filePath(category)).canonicalPath());
    QCOMPARE(sortedSubdirs(categoryDir),
             (QStringList {QStringLiteral("ground_truth"), QStringLiteral("test"), QStringLiteral("train")}));
    QCOMPARE(sortedSubdirs(categoryDir + QStringLiteral("/train")), QStringList {QStringLiteral("good")});
    QCOMPARE(sortedFiles(categoryDir + QStringLiteral("/train/good")), indexedNames(3, QStringLiteral(".png")));
    QCOMPARE(sortedFiles(categoryDir + QStringLiteral("/test/good")), indexedNames(2, QStringLiteral(".png")));

    QStringList types;
    for (const std::string& type : ds::defectTypes(spec.category))
        types << qs(type);
    types.sort();
    QCOMPARE(sortedSubdirs(categoryDir + QStringLiteral("/ground_truth")), types);
    QStringList testFolders = types;
    testFolders << QStringLiteral("good");
    testFolders.sort();
    QCOMPARE(sortedSubdirs(categoryDir + QStringLiteral("/test")), testFolders);

    QDirIterator images(categoryDir + QStringLiteral("/train"), {QStringLiteral("*.png")}, QDir::Files,
                        QDirIterator::Subdirectories);
    while (images.hasNext()) {
        const cv::Mat image = cv::imread(path(images.next()), cv::IMREAD_UNCHANGED);
        QCOMPARE(image.type(), CV_8UC3);
        QCOMPARE(image.size(), cv::Size(64, 64));
    }
    for (const QString& type : types) {
        const QString imageDir = categoryDir + QStringLiteral("/test/") + type;
        const QString maskDir = categoryDir + QStringLiteral("/ground_truth/") + type;
        QCOMPARE(sortedFiles(imageDir), indexedNames(2, QStringLiteral(".png")));
        QCOMPARE(sortedFiles(maskDir), indexedNames(2, QStringLiteral("_mask.png")));
        for (const QString& name : indexedNames(2, QString())) {
            const cv::Mat image
                = cv::imread(path(imageDir + QLatin1Char('/') + name + QStringLiteral(".png")), cv::IMREAD_UNCHANGED);
            const cv::Mat mask
                = cv::imread(path(maskDir + QLatin1Char('/') + name + QStringLiteral("_mask.png")), cv::IMREAD_UNCHANGED);
            QCOMPARE(image.type(), CV_8UC3);
            QCOMPARE(image.size(), cv::Size(64, 64));
            QCOMPARE(mask.type(), CV_8UC1);
            QCOMPARE(mask.size(), cv::Size(64, 64));
            QVERIFY(isBinaryMask(mask));
            QVERIFY(cv::countNonZero(mask) > 0);
        }
    }
}

void TestSyntheticDataset::defectMasksAreBinaryWithPlausibleArea()
{
    QFETCH(QString, category);
    QFETCH(QString, defectType);
    for (int size : {64, 128}) {
        for (unsigned seed = 1; seed <= 2; ++seed) {
            const ds::DefectSample sample = ds::makeDefectImage(path(category), path(defectType), size, seed);
            QCOMPARE(qs(sample.type), defectType);
            QCOMPARE(sample.image.type(), CV_8UC3);
            QCOMPARE(sample.image.size(), cv::Size(size, size));
            QCOMPARE(sample.mask.type(), CV_8UC1);
            QCOMPARE(sample.mask.size(), cv::Size(size, size));
            QVERIFY(isBinaryMask(sample.mask));
            // Visible but not sprawling: the generator aims at 0.3%-5% of the image.
            const double area = cv::countNonZero(sample.mask) / double(size * size);
            QVERIFY2(area >= 0.002 && area <= 0.07,
                     qPrintable(QStringLiteral("size %1 seed %2: area %3%").arg(size).arg(seed).arg(area * 100)));
        }
    }
}

void TestSyntheticDataset::defectChangesPixelsOnlyAroundItsMask()
{
    QFETCH(QString, category);
    QFETCH(QString, defectType);
    constexpr int kSize = 128;
    for (unsigned seed : {3u, 11u}) {
        const cv::Mat good = ds::makeGoodImage(path(category), kSize, seed);
        const ds::DefectSample defect = ds::makeDefectImage(path(category), path(defectType), kSize, seed);
        const cv::Mat difference = meanChannelDifference(good, defect.image);

        // Soft fringes may reach a few pixels past the mask; farther away nothing changes.
        cv::Mat nearMask;
        cv::dilate(defect.mask, nearMask, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(11, 11)));
        const cv::Mat farFromMask = nearMask == 0;
        const double inside = cv::mean(difference, defect.mask)[0];
        const double outside = cv::mean(difference, farFromMask)[0];
        const int changedFarAway = cv::countNonZero((difference > 2.0) & farFromMask);
        const QString numbers = QStringLiteral("seed %1: mean |diff| inside %2, far outside %3, %4 far pixels changed")
                                    .arg(seed)
                                    .arg(inside)
                                    .arg(outside)
                                    .arg(changedFarAway);
        // Clearly above sensor noise (sigma ~2-3 grey levels) inside the mask.
        QVERIFY2(inside > 8.0, qPrintable(numbers));
        QVERIFY2(outside < 0.05, qPrintable(numbers));
        QVERIFY2(changedFarAway <= kSize * kSize / 1000, qPrintable(numbers));
    }
}

void TestSyntheticDataset::goodImagesVaryButLookAlike()
{
    QFETCH(QString, category);
    constexpr int kCount = 6;
    std::vector<cv::Mat> images;
    for (unsigned seed = 1; seed <= kCount; ++seed)
        images.push_back(ds::makeGoodImage(path(category), 96, seed));

    for (int i = 0; i < kCount; ++i)
        for (int j = i + 1; j < kCount; ++j) {
            const double difference = cv::mean(meanChannelDifference(images[i], images[j]))[0];
            QVERIFY2(difference > 2.0,
                     qPrintable(QStringLiteral("images %1 and %2 differ by %3 only").arg(i).arg(j).arg(difference)));
        }

    std::vector<cv::Scalar> means(kCount), deviations(kCount);
    cv::Scalar averageMean, averageDeviation;
    for (int i = 0; i < kCount; ++i) {
        cv::meanStdDev(images[i], means[i], deviations[i]);
        averageMean += means[i] / kCount;
        averageDeviation += deviations[i] / kCount;
    }
    for (int i = 0; i < kCount; ++i)
        for (int c = 0; c < 3; ++c) {
            const QString numbers = QStringLiteral("image %1 channel %2: mean %3 (average %4), std %5 (average %6)")
                                        .arg(i)
                                        .arg(c)
                                        .arg(means[i][c])
                                        .arg(averageMean[c])
                                        .arg(deviations[i][c])
                                        .arg(averageDeviation[c]);
            QVERIFY2(std::abs(means[i][c] - averageMean[c]) < 0.15 * averageMean[c], qPrintable(numbers));
            QVERIFY2(deviations[i][c] > 0.75 * averageDeviation[c] && deviations[i][c] < 1.33 * averageDeviation[c],
                     qPrintable(numbers));
            QVERIFY2(deviations[i][c] > 4.0, qPrintable(numbers)); // textured, not flat
        }
}

void TestSyntheticDataset::sizesShowTheSameScene()
{
    for (const std::string& category : ds::syntheticCategories()) {
        const cv::Mat small = ds::makeGoodImage(category, 96, 9);
        cv::Mat shrunk;
        cv::resize(ds::makeGoodImage(category, 192, 9), shrunk, small.size(), 0, 0, cv::INTER_AREA);
        const double sameSeed = cv::mean(meanChannelDifference(small, shrunk))[0];
        const double otherSeed = cv::mean(meanChannelDifference(small, ds::makeGoodImage(category, 96, 10)))[0];
        QVERIFY2(sameSeed < 0.5 * otherSeed,
                 qPrintable(QStringLiteral("%1: mean |diff| %2 across sizes, %3 across seeds")
                                .arg(qs(category))
                                .arg(sameSeed)
                                .arg(otherSeed)));
    }
}

void TestSyntheticDataset::sameArgumentsGiveSameImages()
{
    for (const std::string& category : ds::syntheticCategories()) {
        const cv::Mat first = ds::makeGoodImage(category, 64, 5);
        QCOMPARE(cv::norm(first, ds::makeGoodImage(category, 64, 5), cv::NORM_INF), 0.0);
        QVERIFY(cv::norm(first, ds::makeGoodImage(category, 64, 6), cv::NORM_L1) > 0);

        const std::string type = ds::defectTypes(category).front();
        const ds::DefectSample a = ds::makeDefectImage(category, type, 64, 5);
        const ds::DefectSample b = ds::makeDefectImage(category, type, 64, 5);
        QCOMPARE(cv::norm(a.image, b.image, cv::NORM_INF), 0.0);
        QCOMPARE(cv::norm(a.mask, b.mask, cv::NORM_INF), 0.0);
    }
}

void TestSyntheticDataset::sameSpecWritesByteIdenticalFiles()
{
    const auto write = [](const QString& root, const std::string& category, unsigned seed) {
        ds::SyntheticSpec spec;
        spec.category = category;
        spec.imageSize = 32;
        spec.trainGood = 2;
        spec.testGood = 1;
        spec.testDefectsPerType = 1;
        spec.seed = seed;
        ds::writeSyntheticDataset(path(root), spec);
    };
    const auto readTree = [](const QString& root) {
        QMap<QString, QByteArray> files;
        QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            QFile in(file);
            if (in.open(QIODevice::ReadOnly))
                files.insert(QDir(root).relativeFilePath(file), in.readAll());
        }
        return files;
    };

    QTemporaryDir first, second, otherSeed;
    QVERIFY(first.isValid() && second.isValid() && otherSeed.isValid());
    for (const std::string& category : ds::syntheticCategories()) {
        write(first.path(), category, 42);
        write(second.path(), category, 42);
    }
    write(otherSeed.path(), "fabric", 43);

    const QMap<QString, QByteArray> a = readTree(first.path());
    const QMap<QString, QByteArray> b = readTree(second.path());
    QVERIFY(!a.isEmpty());
    QCOMPARE(a.keys(), b.keys());
    for (auto it = a.cbegin(); it != a.cend(); ++it) {
        QVERIFY2(!it.value().isEmpty(), qPrintable(it.key()));
        QVERIFY2(it.value() == b.value(it.key()), qPrintable(it.key()));
    }
    const QString sample = QStringLiteral("fabric/train/good/000.png");
    QVERIFY(readTree(otherSeed.path()).value(sample) != a.value(sample));
}

void TestSyntheticDataset::unwritableRootThrowsRuntimeError()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A regular file where a directory should be: unwritable even for root.
    QFile blocker(dir.filePath(QStringLiteral("blocker")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();

    ds::SyntheticSpec spec;
    spec.category = "tiles";
    spec.imageSize = 32;
    spec.trainGood = 1;
    spec.testGood = 1;
    spec.testDefectsPerType = 1;
    const std::string root = path(dir.filePath(QStringLiteral("blocker/datasets")));
    try {
        ds::writeSyntheticDataset(root, spec);
        QFAIL("writing under a regular file did not throw");
    } catch (const std::invalid_argument& e) {
        QFAIL(e.what());
    } catch (const std::runtime_error& e) {
        QVERIFY2(qs(e.what()).contains(QStringLiteral("blocker")), e.what());
    }
}

void TestSyntheticDataset::invalidArgumentsThrow()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ds::defectTypes("marble"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ds::makeGoodImage("marble", 64, 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ds::makeGoodImage("tiles", 8, 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ds::makeDefectImage("tiles", "dent", 64, 1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ds::makeDefectImage("part", "", 64, 1));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ds::SyntheticSpec spec;
    spec.category = "marble";
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ds::writeSyntheticDataset(path(dir.path()), spec));
    spec.category = "part";
    spec.trainGood = -1;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ds::writeSyntheticDataset(path(dir.path()), spec));
    QVERIFY(QDir(dir.path()).isEmpty()); // a bad spec writes nothing
}

QTEST_GUILESS_MAIN(TestSyntheticDataset)
#include "test_synthetic_dataset.moc"
