// defectscope-cli as a user and our evaluation scripts call it: verbs, exit codes, JSON.
#include "core/detectors/Detector.h"
#include "core/jobs/ProjectJobs.h"
#include "core/storage/ProjectFile.h"
#include "core/storage/Sqlite.h"
#include "tests/support/CliProcess.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <sqlite3.h>

#include <random>
#include <sys/stat.h>
#include <unistd.h>

class TestCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    using Outcome = ds::test::CliOutcome;
    static Outcome run(const QStringList& arguments) { return ds::test::runCli(arguments); }

    QString path(const char* name) const { return dir_.filePath(QString::fromLatin1(name)); }

    // Starts the CLI and kills it (SIGKILL) after delayMs, or lets it end first.
    static void killAfter(const QStringList& arguments, int delayMs)
    {
        QProcess process;
        process.start(QStringLiteral(DEFECTSCOPE_CLI_PATH), arguments);
        QVERIFY(process.waitForStarted());
        if (!process.waitForFinished(delayMs))
            process.kill();
        QVERIFY(process.waitForFinished(60000));
    }

    static void requireIntact(const QString& project)
    {
        const Outcome info = run({QStringLiteral("info"), QStringLiteral("--project"), project});
        QVERIFY2(info.exitCode == 0, qPrintable(info.err));
        ds::SqliteConnection raw(project.toStdString(), SQLITE_OPEN_READONLY);
        ds::SqliteStatement check(raw, "PRAGMA integrity_check");
        QVERIFY(check.step());
        QCOMPARE(check.textAt(0), std::string("ok"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        const Outcome made = run({QStringLiteral("make-demo"), path("data"), QStringLiteral("--size"), QStringLiteral("64")});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        QVERIFY(QDir(path("data/part/train/good")).exists());
    }

    void evaluateWritesTheJsonContract()
    {
        const Outcome outcome
            = run({QStringLiteral("evaluate"), QStringLiteral("--dataset"), path("data/part"), QStringLiteral("--size"),
                   QStringLiteral("64"), QStringLiteral("--json"), path("part.json")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("image AUROC")));
        QFile file(path("part.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
        QStringList keys = json.keys();
        keys.sort();
        QCOMPARE(keys.join(QLatin1Char(',')),
                 QStringLiteral(
                     "aupro,backbone,dataset,f1_max,image_auroc,image_auroc_by_type,image_size,infer_ms_per_image,method,n_test,"
                     "n_train,peak_rss_mb,pixel_auroc,threshold,train_seconds"));
        QCOMPARE(json.value(QStringLiteral("dataset")).toString(), QStringLiteral("part"));
        QCOMPARE(json.value(QStringLiteral("method")).toString(), QString::fromStdString(ds::DetectorSettings().method));
        QCOMPARE(json.value(QStringLiteral("image_size")).toInt(), 64);
        QCOMPARE(json.value(QStringLiteral("n_train")).toInt(), 60);
        const double auroc = json.value(QStringLiteral("image_auroc")).toDouble();
        QVERIFY(auroc > 0.5 && auroc <= 1.0);
        // One entry per test/<type> folder other than good, each within the overall range.
        const QJsonObject byType = json.value(QStringLiteral("image_auroc_by_type")).toObject();
        QStringList types = byType.keys();
        types.sort();
        QStringList folders = QDir(path("data/part/test")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        folders.removeAll(QStringLiteral("good"));
        folders.sort();
        QCOMPARE(types, folders);
        for (const QString& type : types)
            QVERIFY(byType.value(type).toDouble() >= 0.0 && byType.value(type).toDouble() <= 1.0);
        QVERIFY(json.value(QStringLiteral("peak_rss_mb")).toDouble() > 10);
    }

    // Methods on one dataset side by side: a line each in the table, an entry each in the
    // JSON array, a --param reaching only the method that offers it, and each method's
    // figures those evaluate gives.
    void compareMeasuresEachMethodOnOneDataset()
    {
        const Outcome outcome
            = run({QStringLiteral("compare"), QStringLiteral("--dataset"), path("data/part"), QStringLiteral("--methods"),
                   QStringLiteral("gaussian,padim"), QStringLiteral("--size"), QStringLiteral("64"), QStringLiteral("--param"),
                   QStringLiteral("n_features=40"), QStringLiteral("--json"), path("compare.json")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("image AUROC")));
        QFile file(path("compare.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray reports = QJsonDocument::fromJson(file.readAll()).array();
        QCOMPARE(reports.size(), 2);
        QStringList methods;
        for (const QJsonValue& report : reports) {
            const QString method = report.toObject().value(QStringLiteral("method")).toString();
            methods << method;
            QVERIFY2(outcome.out.contains(QRegularExpression(QStringLiteral("\\n +%1 +[01]\\.\\d{3} ").arg(method))),
                     qPrintable(outcome.out));
            // Ranks the part's generated defects above its good images, as evaluate would.
            QVERIFY2(report.toObject().value(QStringLiteral("image_auroc")).toDouble() > 0.7, qPrintable(method));
        }
        QCOMPARE(methods, (QStringList {QStringLiteral("gaussian"), QStringLiteral("padim")}));

        const Outcome alone
            = run({QStringLiteral("evaluate"), QStringLiteral("--dataset"), path("data/part"), QStringLiteral("--method"),
                   QStringLiteral("padim"), QStringLiteral("--size"), QStringLiteral("64"), QStringLiteral("--param"),
                   QStringLiteral("n_features=40"), QStringLiteral("--json"), path("padim.json")});
        QVERIFY2(alone.exitCode == 0, qPrintable(alone.err));
        QFile single(path("padim.json"));
        QVERIFY(single.open(QIODevice::ReadOnly));
        const QJsonObject padim = QJsonDocument::fromJson(single.readAll()).object();
        QCOMPARE(reports.at(1).toObject().value(QStringLiteral("image_auroc")).toDouble(),
                 padim.value(QStringLiteral("image_auroc")).toDouble());
        QCOMPARE(padim.value(QStringLiteral("backbone")).toString(), QStringLiteral("filterbank"));
    }

    // Without --backbone a method trains with its own measured default (STFPM's teacher is
    // a random ResNet-18); --backbone still overrides it.
    void methodsStartFromTheirOwnBackbone()
    {
        const auto backboneOf = [&](const QStringList& extra) {
            QStringList arguments {QStringLiteral("evaluate"), QStringLiteral("--dataset"), path("data/part"),
                                   QStringLiteral("--method"), QStringLiteral("stfpm"),     QStringLiteral("--param"),
                                   QStringLiteral("budget=0"), QStringLiteral("--param"),   QStringLiteral("network_steps=2"),
                                   QStringLiteral("--json"),   path("stfpm.json")};
            const Outcome outcome = run(arguments + extra);
            if (outcome.exitCode != 0)
                return outcome.err;
            QFile file(path("stfpm.json"));
            return file.open(QIODevice::ReadOnly)
                ? QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("backbone")).toString()
                : file.errorString();
        };
        QCOMPARE(backboneOf({}), QStringLiteral("resnet18"));
        QCOMPARE(backboneOf({QStringLiteral("--backbone"), QStringLiteral("filterbank")}), QStringLiteral("filterbank"));
    }

    // A connection in this process keeps writing while other processes list the project
    // (`info`) and open it for writing (`import`), and this process is asked to import the
    // project's own file as an image. Reading that file by a descriptor of its own would
    // drop this process's locks on the project; the next process to close its connection
    // would then take itself for the last one and delete the write-ahead log under the
    // writer, whose later writes would be lost and whose reads would fail.
    void writerSurvivesConcurrentCliAndImportOfItsOwnFile()
    {
        const std::string projectPath = path("concurrent.dsproj").toStdString();
        const QString project = QString::fromStdString(projectPath);
        const QString image = QDir(path("data/part/train/good")).entryInfoList({QStringLiteral("*.png")}).front().filePath();
        ds::ProjectFile writer = ds::ProjectFile::openOrCreate(projectPath);
        writer.setSetting("counter", "0");
        const std::string wal = projectPath + "-wal";
        struct stat walAtStart { };
        QCOMPARE(::stat(wal.c_str(), &walAtStart), 0);
        const auto walIsTheWriters = [&] {
            struct stat now { };
            return ::stat(wal.c_str(), &now) == 0 && now.st_ino == walAtStart.st_ino;
        };

        int counter = 0;
        for (int round = 0; round < 4; ++round) {
            ds::JobContext job;
            const ds::ImportReport ownFile = ds::importImages(
                projectPath, {{projectPath, ds::kGoodLabel, {}}, {wal, ds::kGoodLabel, {}}}, ds::Split::Test, job);
            QCOMPARE(ownFile.added, 0);
            QCOMPARE(ownFile.skipped.size(), std::size_t(2));
            QVERIFY2(ownFile.skipped.front().reason.find("is the project file") != std::string::npos,
                     ownFile.skipped.front().reason.c_str());

            QProcess info, import;
            info.start(QStringLiteral(DEFECTSCOPE_CLI_PATH), {QStringLiteral("info"), QStringLiteral("--project"), project});
            import.start(QStringLiteral(DEFECTSCOPE_CLI_PATH),
                         {QStringLiteral("import"), QStringLiteral("--project"), project, QStringLiteral("--images"), image});
            QVERIFY(info.waitForStarted() && import.waitForStarted());
            while (info.state() != QProcess::NotRunning || import.state() != QProcess::NotRunning) {
                const std::string value = std::to_string(++counter);
                writer.setSetting("counter", value); // throws on failure
                QCOMPARE(writer.setting("counter").value_or(""), value);
                QVERIFY2(walIsTheWriters(), "the write-ahead log was deleted or replaced under the writer");
                info.waitForFinished(5);
                import.waitForFinished(5);
            }
            QVERIFY2(info.exitStatus() == QProcess::NormalExit && info.exitCode() == 0, info.readAllStandardError().constData());
            QVERIFY2(import.exitStatus() == QProcess::NormalExit && import.exitCode() == 0,
                     import.readAllStandardError().constData());
            QVERIFY(info.readAllStandardOutput().contains("images: "));
        }
        QVERIFY(walIsTheWriters());
        // What the writer wrote last is in the file every other connection reads.
        const ds::ProjectFile reader = ds::ProjectFile::openForReading(projectPath);
        QCOMPARE(reader.setting("counter").value_or(""), std::to_string(counter));
        QCOMPARE(reader.images().size(), std::size_t(1));
    }

    void trainInferInfoOnAProject()
    {
        const QString project = path("demo.dsproj");
        Outcome outcome
            = run({QStringLiteral("train"), QStringLiteral("--project"), project, QStringLiteral("--dataset"), path("data/tiles"),
                   QStringLiteral("--method"), QStringLiteral("patchcore"), QStringLiteral("--size"), QStringLiteral("64")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("model 1 trained")));

        outcome
            = run({QStringLiteral("infer"), QStringLiteral("--project"), project, QStringLiteral("--heatmaps"), path("maps")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("run 1:")));
        const QStringList overlays = QDir(path("maps")).entryList({QStringLiteral("*_overlay.png")});
        QVERIFY(!overlays.isEmpty());
        QCOMPARE(QDir(path("maps")).entryList({QStringLiteral("*_heatmap.png")}).size(), overlays.size());

        outcome = run({QStringLiteral("info"), QStringLiteral("--project"), project});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("model 1: PatchCore")));
        QVERIFY(outcome.out.contains(QStringLiteral("run 1: done")));

        // A new part scored with --images joins the test images with no label: nobody judged it.
        const QString part = path("data/part/test/good/000.png");
        outcome = run({QStringLiteral("infer"), QStringLiteral("--project"), project, QStringLiteral("--images"), part});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        const ds::ProjectFile file = ds::ProjectFile::open(project.toStdString());
        int unknown = 0;
        for (const ds::ImageRecord& image : file.images(ds::Split::Test))
            unknown += image.label == ds::kUnknownLabel;
        QCOMPARE(unknown, 1);
    }

    // kill -9 while scoring: the next open says the run was interrupted, keeps what it
    // stored, and `infer --resume` finishes it with every test image scored once.
    void killedScoringIsInterruptedThenResumed()
    {
        const QString project = path("killed.dsproj");
        Outcome outcome
            = run({QStringLiteral("train"), QStringLiteral("--project"), project, QStringLiteral("--dataset"), path("data/part"),
                   QStringLiteral("--method"), QStringLiteral("padim"), QStringLiteral("--size"), QStringLiteral("256")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        // At 256 px with heatmaps written, scoring is slow enough for the kill to land
        // between the first stored result and the last.
        QProcess scoring;
        scoring.start(
            QStringLiteral(DEFECTSCOPE_CLI_PATH),
            {QStringLiteral("infer"), QStringLiteral("--project"), project, QStringLiteral("--heatmaps"), path("killed-maps")});
        QVERIFY(scoring.waitForStarted());
        const ds::ProjectFile watcher = ds::ProjectFile::open(project.toStdString());
        QTRY_VERIFY_WITH_TIMEOUT(watcher.run(1) && watcher.resultCount(1) > 0, 120000);
        scoring.kill();
        QVERIFY(scoring.waitForFinished());

        outcome = run({QStringLiteral("info"), QStringLiteral("--project"), project});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY2(outcome.out.contains(QStringLiteral("run 1: interrupted")), qPrintable(outcome.out));
        QVERIFY(outcome.out.contains(QStringLiteral("infer --resume 1")));
        const int testImages = int(ds::ProjectFile::open(project.toStdString()).images(ds::Split::Test).size());
        const int kept = ds::ProjectFile::open(project.toStdString()).resultCount(1);
        QVERIFY2(kept >= 1 && kept < testImages, qPrintable(QString::number(kept)));

        QCOMPARE(
            run({QStringLiteral("infer"), QStringLiteral("--project"), project, QStringLiteral("--discard"), QStringLiteral("7")})
                .exitCode,
            3); // no such interrupted run
        outcome = run(
            {QStringLiteral("infer"), QStringLiteral("--project"), project, QStringLiteral("--resume"), QStringLiteral("1")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY2(outcome.out.contains(QStringLiteral("run 1: %1 image(s) more scored").arg(testImages - kept)),
                 qPrintable(outcome.out));
        const ds::ProjectFile file = ds::ProjectFile::open(project.toStdString());
        QCOMPARE(file.run(1)->status, ds::RunStatus::Done);
        QCOMPARE(file.resultCount(1), testImages);
        // Resuming a finished run, or discarding it, is refused.
        QCOMPARE(
            run({QStringLiteral("infer"), QStringLiteral("--project"), project, QStringLiteral("--resume"), QStringLiteral("1")})
                .exitCode,
            3);
        QCOMPARE(
            run({QStringLiteral("infer"), QStringLiteral("--project"), project, QStringLiteral("--discard"), QStringLiteral("1")})
                .exitCode,
            3);
    }

    // A write-protected project (file and folder) can still be listed, reported on and
    // exported. As root, permissions bind only another user, so the CLI runs as nobody.
    void writeProtectedProjectCanBeRead()
    {
        const QString folder = path("protected");
        QVERIFY(QDir().mkpath(folder));
        const QString project = folder + QStringLiteral("/demo.dsproj");
        ds::ProjectFile::open(path("demo.dsproj").toStdString()).saveCopyAs(project.toStdString());
        QVERIFY(QFile::setPermissions(project, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther));
        const QFile::Permissions readAndList
            = QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther;
        QVERIFY(QFile::setPermissions(folder, readAndList));
        QVERIFY(QFile::setPermissions(dir_.path(), readAndList | QFile::WriteOwner));
        QStringList prefix;
        if (geteuid() == 0) {
            prefix = {QStringLiteral("runuser"), QStringLiteral("-u"), QStringLiteral("nobody"), QStringLiteral("--"),
                      QStringLiteral(DEFECTSCOPE_CLI_PATH)};
            QProcess probe; // exit code 2: ran, and asked for --project
            probe.start(prefix.first(), prefix.mid(1) << QStringLiteral("info"));
            if (!probe.waitForFinished(60000) || probe.exitCode() != 2)
                QSKIP("user nobody cannot run the CLI where it was built");
        }
        const auto runAsReader = [&](const QStringList& arguments) {
            QProcess process;
            if (prefix.isEmpty())
                process.start(QStringLiteral(DEFECTSCOPE_CLI_PATH), arguments);
            else
                process.start(prefix.first(), prefix.mid(1) + arguments);
            process.waitForFinished(120000);
            return Outcome {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
                            QString::fromUtf8(process.readAllStandardError())};
        };
        Outcome outcome = runAsReader({QStringLiteral("info"), QStringLiteral("--project"), project});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("run 1: done")));
        const QString out
            = QDir::tempPath() + QStringLiteral("/defectscope-protected-%1").arg(QCoreApplication::applicationPid());
        QVERIFY(QDir().mkpath(out));
        QFile::setPermissions(out, readAndList | QFile::WriteOwner | QFile::WriteGroup | QFile::WriteOther);
        outcome = runAsReader({QStringLiteral("report"), QStringLiteral("--project"), project, QStringLiteral("--out"),
                               out + QStringLiteral("/r.html")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        outcome = runAsReader({QStringLiteral("export"), QStringLiteral("--project"), project, QStringLiteral("--csv"),
                               out + QStringLiteral("/r.csv")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/r.html")) && QFileInfo::exists(out + QStringLiteral("/r.csv")));
        QDir(out).removeRecursively();
        // Writing still says why it cannot.
        outcome = runAsReader({QStringLiteral("infer"), QStringLiteral("--project"), project});
        QVERIFY2(outcome.exitCode != 0 && outcome.err.contains(QStringLiteral("read-only")), qPrintable(outcome.err));
        QFile::setPermissions(folder, readAndList | QFile::WriteOwner); // so the temporary folder can be removed
    }

    void reportAndExportAModelsResults()
    {
        const QString project = path("report.dsproj");
        Outcome outcome = run({QStringLiteral("train"), QStringLiteral("--project"), project, QStringLiteral("--dataset"),
                               path("data/part"), QStringLiteral("--size"), QStringLiteral("64")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        outcome = run(
            {QStringLiteral("report"), QStringLiteral("--project"), project, QStringLiteral("--out"), path("unscored.pdf")});
        QCOMPARE(outcome.exitCode, 3);
        QVERIFY2(outcome.err.contains(QStringLiteral("score the test images first")), qPrintable(outcome.err));
        QVERIFY(!QFile::exists(path("unscored.pdf")));
        outcome = run({QStringLiteral("infer"), QStringLiteral("--project"), project});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        static const QRegularExpression scoredLine(QStringLiteral("run \\d+: (\\d+) image\\(s\\) scored"));
        const int scored = scoredLine.match(outcome.out).captured(1).toInt();
        QVERIFY(scored > 0);

        outcome = run({QStringLiteral("report"), QStringLiteral("--project"), project, QStringLiteral("--out"),
                       path("report.html"), QStringLiteral("--top"), QStringLiteral("3")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QFile html(path("report.html"));
        QVERIFY(html.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(html.readAll());
        static const QRegularExpression auroc(QStringLiteral("<td class=\"metric\" id=\"image-auroc\">([0-9.]+)</td>"));
        const double imageAuroc = auroc.match(text).captured(1).toDouble();
        QVERIFY2(imageAuroc > 0.5 && imageAuroc <= 1.0, qPrintable(auroc.match(text).captured(0)));
        QCOMPARE(int(text.count(QStringLiteral("<tr class=\"flagged-image\""))), 3);

        outcome = run({QStringLiteral("report"), QStringLiteral("--project"), project, QStringLiteral("--out"),
                       path("report.pdf"), QStringLiteral("--threshold"), QStringLiteral("0")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY2(outcome.out.contains(QStringLiteral("%1 of %1 image(s) flagged").arg(scored)), qPrintable(outcome.out));
        QFile pdf(path("report.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.readAll().startsWith("%PDF-"));

        outcome = run({QStringLiteral("export"), QStringLiteral("--project"), project, QStringLiteral("--csv"),
                       path("results.csv"), QStringLiteral("--png"), path("pngs")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QFile csv(path("results.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + scored);
        QCOMPARE(lines.front(), QStringLiteral("path,score,model_verdict,human_verdict,defect_types,label"));
        for (const QString& line : lines.mid(1)) {
            const QStringList fields = line.split(QLatin1Char(','));
            QCOMPARE(fields.size(), 6);
            QVERIFY2(fields[2] == QStringLiteral("defect") || fields[2] == QStringLiteral("good"), qPrintable(line));
            QVERIFY2(fields[3].isEmpty(), qPrintable(line)); // nobody reviewed
        }
        QVERIFY(!QDir(path("pngs")).entryList({QStringLiteral("*_overlay.png")}).isEmpty());
    }

    // What a network trained from scratch is taught, written for a person to look at.
    void synthPreviewWritesSamplesAndASheet()
    {
        const Outcome outcome
            = run({QStringLiteral("synth-preview"), QStringLiteral("--dataset"), path("data/part"), QStringLiteral("--out"),
                   path("preview"), QStringLiteral("--count"), QStringLiteral("4"), QStringLiteral("--size"),
                   QStringLiteral("64"), QStringLiteral("--content"), QStringLiteral("cut-paste")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QCOMPARE(QDir(path("preview")).entryList({QStringLiteral("sample_*_mask.png")}).size(), 4);
        QVERIFY(QFileInfo(path("preview/preview.png")).size() > 0);
        QVERIFY(outcome.out.trimmed().endsWith(QStringLiteral("preview.png")));
    }

    // kill -9 at seeded random moments of import, training and export: the project stays
    // intact, an import or a model is there whole or not at all, an export file is
    // complete or absent.
    void killAtRandomMomentsLosesNothingHalfWritten()
    {
        std::mt19937 random(7);
        const QString source = path("data/fabric");
        QCOMPARE(run({QStringLiteral("import"), QStringLiteral("--project"), path("reference.dsproj"),
                      QStringLiteral("--dataset"), source})
                     .exitCode,
                 0);
        const int datasetImages = int(ds::ProjectFile::open(path("reference.dsproj").toStdString()).images().size());
        for (int attempt = 0; attempt < 4; ++attempt) {
            const QString project = dir_.filePath(QStringLiteral("crash-%1.dsproj").arg(attempt));
            const int delayMs = std::uniform_int_distribution<int>(20, 1500)(random);
            killAfter({QStringLiteral("train"), QStringLiteral("--project"), project, QStringLiteral("--dataset"), source,
                       QStringLiteral("--method"), QStringLiteral("padim"), QStringLiteral("--size"), QStringLiteral("64")},
                      delayMs);
            if (!QFileInfo::exists(project))
                continue; // killed before the file was created
            requireIntact(project);
            const ds::ProjectFile file = ds::ProjectFile::open(project.toStdString());
            const int images = int(file.images().size());
            // One import transaction: all of the dataset's images or none.
            QVERIFY2(images == 0 || images == datasetImages, qPrintable(QString::number(images)));
            for (const ds::ModelRecord& model : file.models())
                QVERIFY(!file.modelState(model.id).empty()); // a model is stored with its weights
        }

        // Export: the CSV appears whole (renamed into place) or not at all.
        const QString project = dir_.filePath(QStringLiteral("export-crash.dsproj"));
        QCOMPARE(run({QStringLiteral("train"), QStringLiteral("--project"), project, QStringLiteral("--dataset"), source,
                      QStringLiteral("--method"), QStringLiteral("padim"), QStringLiteral("--size"), QStringLiteral("64")})
                     .exitCode,
                 0);
        QCOMPARE(run({QStringLiteral("infer"), QStringLiteral("--project"), project}).exitCode, 0);
        for (int attempt = 0; attempt < 3; ++attempt) {
            const QString csv = dir_.filePath(QStringLiteral("crash-%1.csv").arg(attempt));
            killAfter({QStringLiteral("export"), QStringLiteral("--project"), project, QStringLiteral("--csv"), csv,
                       QStringLiteral("--png"), dir_.filePath(QStringLiteral("crash-png-%1").arg(attempt))},
                      std::uniform_int_distribution<int>(5, 400)(random));
            if (QFileInfo::exists(csv)) {
                QFile file(csv);
                QVERIFY(file.open(QIODevice::ReadOnly));
                const QByteArray text = file.readAll();
                QVERIFY(text.endsWith('\n'));
                QCOMPARE(text.count('\n'), 1 + int(ds::ProjectFile::open(project.toStdString()).images(ds::Split::Test).size()));
            }
            requireIntact(project);
        }
    }

    // The usage lists every verb once, from the one table the verbs are run from: each
    // listed verb answers --help with its own description.
    void usageListsEveryVerbAndEachAnswersHelp()
    {
        const Outcome usage = run({});
        QCOMPARE(usage.exitCode, 2);
        const QStringList lines = usage.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.front().startsWith(QStringLiteral("usage: defectscope-cli VERB")));
        QStringList verbs;
        for (const QString& line : lines.mid(1))
            verbs << line.trimmed().section(QLatin1Char(' '), 0, 0);
        QCOMPARE(verbs.size(), lines.size() - 1);
        QCOMPARE(verbs.size(), int(QSet<QString>(verbs.begin(), verbs.end()).size()));
        for (const char* expected :
             {"evaluate", "compare", "import", "train", "infer", "info", "report", "export", "synth-preview"})
            QVERIFY2(verbs.contains(QLatin1String(expected)), expected);
        for (const QString& verb : verbs) {
            const Outcome help = run({verb, QStringLiteral("--help")});
            QVERIFY2(help.exitCode == 0, qPrintable(verb + QStringLiteral(": ") + help.err));
            QVERIFY2(help.out.contains(QStringLiteral("defectscope-cli %1: ").arg(verb)), qPrintable(help.out));
        }
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addRow("no verb") << QStringList {} << 2;
        QTest::addRow("unknown verb") << QStringList {QStringLiteral("frobnicate")} << 2;
        QTest::addRow("unknown option") << QStringList {QStringLiteral("evaluate"), QStringLiteral("--bogus")} << 2;
        QTest::addRow("missing dataset option") << QStringList {QStringLiteral("evaluate")} << 2;
        QTest::addRow("help") << QStringList {QStringLiteral("evaluate"), QStringLiteral("--help")} << 0;
        QTest::addRow("synth-preview of an unknown content")
            << QStringList {QStringLiteral("synth-preview"), QStringLiteral("--dataset"), QStringLiteral("/x"),
                            QStringLiteral("--out"),         QStringLiteral("/y"),        QStringLiteral("--content"),
                            QStringLiteral("paint")}
            << 2;
        QTest::addRow("synth-preview of no images")
            << QStringList {QStringLiteral("synth-preview"), QStringLiteral("--dataset"), QStringLiteral("/nonexistent"),
                            QStringLiteral("--out"), QStringLiteral("/tmp/p")}
            << 3;
        QTest::addRow("not a dataset") << QStringList {QStringLiteral("evaluate"), QStringLiteral("--dataset"),
                                                       QStringLiteral("/nonexistent")}
                                       << 3;
        QTest::addRow("compare without methods")
            << QStringList {QStringLiteral("compare"), QStringLiteral("--dataset"), QStringLiteral("/x")} << 2;
        QTest::addRow("compare with a parameter no method has")
            << QStringList {QStringLiteral("compare"),      QStringLiteral("--dataset"), QStringLiteral("/x"),
                            QStringLiteral("--methods"),    QStringLiteral("gaussian"),  QStringLiteral("--param"),
                            QStringLiteral("n_features=40")}
            << 2;
        QTest::addRow("compare an unknown method")
            << QStringList {QStringLiteral("compare"), QStringLiteral("--dataset"), QStringLiteral("/x"),
                            QStringLiteral("--methods"), QStringLiteral("padim,magic")}
            << 3;
        QTest::addRow("unknown method") << QStringList {QStringLiteral("evaluate"), QStringLiteral("--dataset"),
                                                        QStringLiteral("/x"), QStringLiteral("--method"), QStringLiteral("magic")}
                                        << 3;
        QTest::addRow("not a project") << QStringList {QStringLiteral("info"), QStringLiteral("--project"),
                                                       QStringLiteral("/nonexistent.dsproj")}
                                       << 3;
        QTest::addRow("report to an unknown format")
            << QStringList {QStringLiteral("report"), QStringLiteral("--project"), QStringLiteral("/x.dsproj"),
                            QStringLiteral("--out"), QStringLiteral("report.docx")}
            << 2;
        QTest::addRow("report without --out")
            << QStringList {QStringLiteral("report"), QStringLiteral("--project"), QStringLiteral("/x.dsproj")} << 2;
        QTest::addRow("report help") << QStringList {QStringLiteral("report"), QStringLiteral("--help")} << 0;
        QTest::addRow("report on no project")
            << QStringList {QStringLiteral("report"), QStringLiteral("--project"), QStringLiteral("/nonexistent.dsproj"),
                            QStringLiteral("--out"), QStringLiteral("/tmp/r.pdf")}
            << 3;
        QTest::addRow("export without --csv")
            << QStringList {QStringLiteral("export"), QStringLiteral("--project"), QStringLiteral("/x.dsproj")} << 2;
        QTest::addRow("export with a bad threshold")
            << QStringList {QStringLiteral("export"), QStringLiteral("--project"), QStringLiteral("/x.dsproj"),
                            QStringLiteral("--csv"),  QStringLiteral("x.csv"),     QStringLiteral("--threshold"),
                            QStringLiteral("high")}
            << 2;
    }

    void exitCodes()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        const Outcome outcome = run(arguments);
        QVERIFY2(outcome.exitCode == exitCode, qPrintable(outcome.err + outcome.out));
        if (exitCode == 3)
            QVERIFY2(outcome.err.startsWith(QStringLiteral("error: ")), qPrintable(outcome.err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
