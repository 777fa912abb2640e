// The bad-input corpus: damaged, forged, hostile and extreme files, generated here, mixed
// with good images and run through every CLI verb. Each run must end (per-case timeout),
// exit 0 or 3 as the README says, list every bad file with a reason, still process the
// good images, and leave the project intact with only finite values stored.
#include "core/storage/ProjectFile.h"
#include "core/storage/Sqlite.h"
#include "tests/support/CliProcess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sqlite3.h>
#include <sys/stat.h>

namespace fs = std::filesystem;

class TestBadInputCorpus : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    int goodCount_ = 0;
    QStringList badNames_; // files every verb must list as skipped

    using Outcome = ds::test::CliOutcome;
    // A run that does not end in two minutes is a hang and fails the test.
    static Outcome run(const QStringList& arguments) { return ds::test::runCli(arguments, 120000); }

    std::string path(const QString& name) const { return dir_.filePath(name).toStdString(); }

    static void writeBytes(const std::string& file, const std::vector<uchar>& bytes)
    {
        std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    }

    static std::vector<uchar> encoded(const char* extension, const cv::Mat& image)
    {
        std::vector<uchar> bytes;
        cv::imencode(extension, image, bytes);
        return bytes;
    }

    static std::vector<uchar> cut(std::vector<uchar> bytes, double share)
    {
        bytes.resize(size_t(double(bytes.size()) * share));
        return bytes;
    }

    // A bad file for the corpus: every verb must name it among the skipped files.
    void addBad(const std::string& folder, const QString& name, const std::vector<uchar>& bytes)
    {
        writeBytes(folder + "/" + name.toStdString(), bytes);
        badNames_ << name;
    }

    // Every image a test part could be: damaged, forged, hostile, extreme but valid.
    void writeCorpus(const std::string& folder)
    {
        cv::Mat noise(64, 64, CV_8UC3);
        cv::randu(noise, 0, 256);
        const std::vector<uchar> png = encoded(".png", noise), jpeg = encoded(".jpg", noise);
        addBad(folder, QStringLiteral("truncated.png"), cut(png, 0.5));
        addBad(folder, QStringLiteral("truncated.jpg"), cut(jpeg, 0.6));
        std::vector<uchar> endless = cut(jpeg, 0.5);
        endless.push_back(0xFF);
        endless.push_back(0xD9);
        addBad(folder, QStringLiteral("cut-with-end-marker.jpg"), endless);
        addBad(folder, QStringLiteral("truncated.tiff"), cut(encoded(".tiff", noise), 0.4));
        addBad(folder, QStringLiteral("truncated.bmp"), cut(encoded(".bmp", noise), 0.3));
        addBad(folder, QStringLiteral("truncated.webp"), cut(encoded(".webp", noise), 0.5));
        addBad(folder, QStringLiteral("garbage.png"), std::vector<uchar>(4096, 0x5A));
        addBad(folder, QStringLiteral("empty.jpg"), {});
        std::vector<uchar> bomb = png; // IHDR claims 30000 x 30000
        for (size_t at : {16u, 20u}) {
            bomb[at] = 0;
            bomb[at + 1] = 0;
            bomb[at + 2] = 0x75;
            bomb[at + 3] = 0x30;
        }
        addBad(folder, QStringLiteral("bomb.png"), bomb);
        std::vector<uchar> zeroWidth = png;
        zeroWidth[16] = zeroWidth[17] = zeroWidth[18] = zeroWidth[19] = 0;
        addBad(folder, QStringLiteral("zero-width.png"), zeroWidth);
        cv::Mat nan(32, 32, CV_32FC1, cv::Scalar(0.5));
        nan.at<float>(5, 5) = std::numeric_limits<float>::quiet_NaN();
        addBad(folder, QStringLiteral("nan.tiff"), encoded(".tiff", nan));
        // Special files: never opened, listed with a reason.
        const QString loop = QStringLiteral("loop.png"), dangling = QStringLiteral("dangling.png"),
                      fifo = QStringLiteral("fifo.png");
        fs::create_symlink(folder + "/loop.png", folder + "/loop.png");
        fs::create_symlink(folder + "/nowhere.png", folder + "/dangling.png");
        QCOMPARE(mkfifo((folder + "/fifo.png").c_str(), 0600), 0);
        badNames_ << loop << dangling << fifo;
    }

    // Valid but unusual images: processed like any other.
    void writeUnusualGoodImages(const std::string& folder)
    {
        cv::Mat wide(3, 10000, CV_8UC3, cv::Scalar(90, 120, 150));
        cv::Mat deep(48, 48, CV_16UC1);
        cv::randu(deep, 20000, 40000);
        cv::Mat tiny(1, 1, CV_8UC3, cv::Scalar(100, 110, 120));
        QVERIFY(cv::imwrite(folder + "/zz-wide.png", wide));
        QVERIFY(cv::imwrite(folder + "/zz-sixteen-bit.png", deep));
        QVERIFY(cv::imwrite(folder + "/zz-one-pixel.png", tiny));
        goodCount_ += 3;
    }

    // Nothing non-finite stored, and sqlite finds the file intact.
    void checkProjectIntact(const QString& project)
    {
        {
            ds::SqliteConnection raw(project.toStdString(), SQLITE_OPEN_READONLY);
            ds::SqliteStatement check(raw, "PRAGMA integrity_check");
            QVERIFY(check.step());
            QCOMPARE(check.textAt(0), std::string("ok"));
        }
        const ds::ProjectFile file = ds::ProjectFile::open(project.toStdString());
        for (const ds::ModelRecord& model : file.models()) {
            QVERIFY(std::isfinite(model.threshold));
            for (const ds::RunRecord& run : file.runs(model.id))
                for (const ds::ResultRecord& result : file.results(run.id, ds::ProjectFile::Heatmaps::Load)) {
                    QVERIFY(std::isfinite(result.score));
                    QVERIFY(result.heatmap.empty() || cv::checkRange(result.heatmap));
                }
        }
    }

    // 64 bytes in the middle of the stored weights, as a failing disk would leave them.
    static void overwriteModelBytes(ds::SqliteConnection& raw)
    {
        std::vector<std::uint8_t> state;
        {
            ds::SqliteStatement read(raw, "SELECT state FROM models ORDER BY id LIMIT 1");
            QVERIFY(read.step());
            state = read.blobAt(0);
        }
        QVERIFY(state.size() > 1000);
        std::fill_n(state.begin() + long(state.size() / 2), 64, std::uint8_t(0));
        ds::SqliteStatement write(raw, "UPDATE models SET state = ?");
        write.bind(1, state).run();
    }

    void expectEveryBadFileListed(const Outcome& outcome)
    {
        for (const QString& name : badNames_)
            QVERIFY2(outcome.err.contains(name) || outcome.out.contains(name),
                     qPrintable(name + QStringLiteral(" not listed:\n") + outcome.err));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const Outcome made = run(
            {QStringLiteral("make-demo"), dir_.filePath(QStringLiteral("data")), QStringLiteral("--size"), QStringLiteral("64")});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        const std::string good = path(QStringLiteral("data/part/train/good"));
        goodCount_ = int(QDir(QString::fromStdString(good)).entryList(QDir::Files).size());
        writeUnusualGoodImages(good);
        writeCorpus(good);
        // The same corpus among the test images, where evaluate and infer meet it.
        fs::create_directories(path(QStringLiteral("parts")));
        for (const auto& entry : fs::directory_iterator(path(QStringLiteral("data/part/test/good"))))
            fs::copy(entry.path(), path(QStringLiteral("parts")) + "/" + entry.path().filename().string());
        const QStringList badBefore = badNames_;
        badNames_.clear();
        writeCorpus(path(QStringLiteral("parts")));
        QCOMPARE(badNames_, badBefore);
    }

    void evaluateSkipsEveryBadFile()
    {
        const Outcome outcome = run({QStringLiteral("evaluate"), QStringLiteral("--dataset"),
                                     dir_.filePath(QStringLiteral("data/part")), QStringLiteral("--size"), QStringLiteral("64")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        expectEveryBadFileListed(outcome);
        QVERIFY(outcome.out.contains(QStringLiteral("image AUROC")));
    }

    void trainAndInferSkipEveryBadFile()
    {
        const QString project = dir_.filePath(QStringLiteral("corpus.dsproj"));
        Outcome outcome
            = run({QStringLiteral("train"), QStringLiteral("--project"), project, QStringLiteral("--images"),
                   dir_.filePath(QStringLiteral("data/part/train/good")), QStringLiteral("--size"), QStringLiteral("64")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        expectEveryBadFileListed(outcome);
        QVERIFY2(outcome.out.contains(QStringLiteral("imported %1 image(s)").arg(goodCount_)), qPrintable(outcome.out));

        outcome
            = run({QStringLiteral("infer"), QStringLiteral("--project"), project, QStringLiteral("--images"),
                   dir_.filePath(QStringLiteral("parts")), QStringLiteral("--heatmaps"), dir_.filePath(QStringLiteral("maps"))});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        expectEveryBadFileListed(outcome);
        const int parts = int(QDir(dir_.filePath(QStringLiteral("data/part/test/good"))).entryList(QDir::Files).size());
        QVERIFY2(outcome.out.contains(QStringLiteral("%1 image(s) scored").arg(parts)), qPrintable(outcome.out));
        QCOMPARE(int(QDir(dir_.filePath(QStringLiteral("maps"))).entryList({QStringLiteral("*_overlay.png")}).size()), parts);
        for (const char* verb : {"info", "report", "export"}) {
            QStringList arguments = {QString::fromLatin1(verb), QStringLiteral("--project"), project};
            if (QString::fromLatin1(verb) == QStringLiteral("report"))
                arguments << QStringLiteral("--out") << dir_.filePath(QStringLiteral("report.html"));
            if (QString::fromLatin1(verb) == QStringLiteral("export"))
                arguments << QStringLiteral("--csv") << dir_.filePath(QStringLiteral("results.csv"));
            outcome = run(arguments);
            QVERIFY2(outcome.exitCode == 0, qPrintable(QString::fromLatin1(verb) + QStringLiteral(": ") + outcome.err));
        }
        checkProjectIntact(project);
    }

    // Broken project and model files: exit 3 with a message, for every verb that reads them.
    void brokenProjectsAreBadInput_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addRow("garbage") << QStringLiteral("garbage");
        QTest::addRow("truncated") << QStringLiteral("truncated");
        QTest::addRow("dropped table") << QStringLiteral("drop");
        QTest::addRow("model bytes overwritten") << QStringLiteral("model");
    }

    void brokenProjectsAreBadInput()
    {
        QFETCH(QString, damage);
        const QString source = dir_.filePath(QStringLiteral("corpus.dsproj"));
        const QString broken = dir_.filePath(QStringLiteral("broken-%1.dsproj").arg(damage));
        ds::ProjectFile::open(source.toStdString()).saveCopyAs(broken.toStdString());
        QFile file(broken);
        if (damage == QStringLiteral("garbage") || damage == QStringLiteral("truncated")) {
            QVERIFY(file.open(QIODevice::ReadWrite));
            if (damage == QStringLiteral("garbage"))
                file.write(QByteArray(4096, 'x'));
            else
                file.resize(file.size() / 3);
            file.close();
        } else {
            ds::SqliteConnection raw(broken.toStdString(), SQLITE_OPEN_READWRITE);
            if (damage == QStringLiteral("drop"))
                raw.execute("DROP TABLE results");
            else
                overwriteModelBytes(raw);
        }
        const QList<QStringList> verbs = {
            {QStringLiteral("info")},
            {QStringLiteral("infer")},
            {QStringLiteral("report"), QStringLiteral("--out"), dir_.filePath(QStringLiteral("broken.html"))},
            {QStringLiteral("export"), QStringLiteral("--csv"), dir_.filePath(QStringLiteral("broken.csv"))},
        };
        int refused = 0;
        for (QStringList arguments : verbs) {
            arguments << QStringLiteral("--project") << broken;
            const Outcome outcome = run(arguments);
            QVERIFY2(outcome.exitCode == 0 || outcome.exitCode == 3,
                     qPrintable(arguments.join(QLatin1Char(' ')) + QStringLiteral(" -> ") + outcome.err));
            if (outcome.exitCode == 3) {
                QVERIFY2(outcome.err.startsWith(QStringLiteral("error: ")), qPrintable(outcome.err));
                ++refused;
            }
        }
        QVERIFY(refused > 0); // the damage is noticed by at least the verbs that read it
        QVERIFY(!QFileInfo::exists(dir_.filePath(QStringLiteral("broken.html"))) || damage == QStringLiteral("model"));
    }
};

QTEST_GUILESS_MAIN(TestBadInputCorpus)
#include "test_bad_input_corpus.moc"
