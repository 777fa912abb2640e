// defectscope-cli as a user and our evaluation scripts call it: verbs, exit codes, JSON.
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    struct Outcome {
        int exitCode;
        QString out;
        QString err;
    };

    static Outcome run(const QStringList& arguments)
    {
        QProcess process;
        process.start(QStringLiteral(DEFECTSCOPE_CLI_PATH), arguments);
        if (!process.waitForFinished(300000))
            return {-1, {}, QStringLiteral("timed out")};
        return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }

    QString path(const char* name) const { return dir_.filePath(QString::fromLatin1(name)); }

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
        const Outcome outcome = run({QStringLiteral("evaluate"), QStringLiteral("--dataset"), path("data/part"),
                                     QStringLiteral("--size"), QStringLiteral("64"), QStringLiteral("--json"), path("part.json")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("image AUROC")));
        QFile file(path("part.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
        QStringList keys = json.keys();
        keys.sort();
        QCOMPARE(keys.join(QLatin1Char(',')),
                 QStringLiteral("aupro,backbone,dataset,f1_max,image_auroc,image_size,infer_ms_per_image,method,n_test,"
                                "n_train,peak_rss_mb,pixel_auroc,threshold,train_seconds"));
        QCOMPARE(json.value(QStringLiteral("dataset")).toString(), QStringLiteral("part"));
        QCOMPARE(json.value(QStringLiteral("method")).toString(), QStringLiteral("padim"));
        QCOMPARE(json.value(QStringLiteral("image_size")).toInt(), 64);
        QCOMPARE(json.value(QStringLiteral("n_train")).toInt(), 60);
        const double auroc = json.value(QStringLiteral("image_auroc")).toDouble();
        QVERIFY(auroc > 0.5 && auroc <= 1.0);
        QVERIFY(json.value(QStringLiteral("peak_rss_mb")).toDouble() > 10);
    }

    void trainInferInfoOnAProject()
    {
        const QString project = path("demo.dsproj");
        Outcome outcome = run({QStringLiteral("train"), QStringLiteral("--project"), project, QStringLiteral("--dataset"),
                               path("data/tiles"), QStringLiteral("--method"), QStringLiteral("patchcore"),
                               QStringLiteral("--size"), QStringLiteral("64")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("model 1 trained")));

        outcome = run({QStringLiteral("infer"), QStringLiteral("--project"), project, QStringLiteral("--heatmaps"), path("maps")});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("run 1:")));
        const QStringList overlays = QDir(path("maps")).entryList({QStringLiteral("*_overlay.png")});
        QVERIFY(!overlays.isEmpty());
        QCOMPARE(QDir(path("maps")).entryList({QStringLiteral("*_heatmap.png")}).size(), overlays.size());

        outcome = run({QStringLiteral("info"), QStringLiteral("--project"), project});
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY(outcome.out.contains(QStringLiteral("model 1: PatchCore")));
        QVERIFY(outcome.out.contains(QStringLiteral("run 1: done")));
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addRow("no verb") << QStringList{} << 2;
        QTest::addRow("unknown verb") << QStringList{QStringLiteral("frobnicate")} << 2;
        QTest::addRow("unknown option") << QStringList{QStringLiteral("evaluate"), QStringLiteral("--bogus")} << 2;
        QTest::addRow("missing dataset option") << QStringList{QStringLiteral("evaluate")} << 2;
        QTest::addRow("help") << QStringList{QStringLiteral("evaluate"), QStringLiteral("--help")} << 0;
        QTest::addRow("not a dataset") << QStringList{QStringLiteral("evaluate"), QStringLiteral("--dataset"), QStringLiteral("/nonexistent")} << 3;
        QTest::addRow("unknown method") << QStringList{QStringLiteral("evaluate"), QStringLiteral("--dataset"), QStringLiteral("/x"),
                                                       QStringLiteral("--method"), QStringLiteral("magic")} << 3;
        QTest::addRow("not a project") << QStringList{QStringLiteral("info"), QStringLiteral("--project"), QStringLiteral("/nonexistent.dsproj")} << 3;
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
