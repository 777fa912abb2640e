#include "ui/MainWindow.h"

#include "core/Error.h"
#include "core/backbones/TorchRuntime.h"
#include "core/data/Dataset.h"
#include "core/data/ImageIO.h"
#include "core/data/Overlay.h"
#include "core/jobs/JobContext.h"
#include "core/jobs/ProjectJobs.h"
#include "ui/ImageConversion.h"
#include "ui/TrainDialog.h"
#include "ui/models/ResultsModel.h"
#include "ui/plots/ThresholdPlots.h"
#include "ui/widgets/ImageLabel.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTimer>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <opencv2/core/version.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace ds::ui {

namespace {

constexpr int kSliderSteps = 1000;
constexpr int kModelIdRole = Qt::UserRole;

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

QStringList skippedList(const std::vector<SkippedFile>& skipped)
{
    QStringList lines;
    for (const SkippedFile& file : skipped)
        lines << fromStd(file.path) + QStringLiteral(": ") + fromStd(file.reason);
    return lines;
}

QString formatSeconds(double seconds)
{
    if (seconds < 60)
        return QString::number(seconds, 'f', 1) + QStringLiteral(" s");
    return QString::number(int(seconds) / 60) + QStringLiteral(" min ") + QString::number(int(seconds) % 60)
        + QStringLiteral(" s");
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    createWidgets();
    createActions();
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray()))
        resize(1280, 800);
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow()
{
    // A job still running holds its own JobContext; stop it and wait so it never
    // outlives the window (its queued notifications to us are dropped with us).
    if (job_)
        job_->cancel();
    jobFuture_.waitForFinished();
    saveThresholdNow();
}

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
    newAction_ = file->addAction(QStringLiteral("&New Project…"), this, &MainWindow::newProjectDialog);
    newAction_->setObjectName(QStringLiteral("newProjectAction"));
    newAction_->setShortcut(QKeySequence::New);
    openAction_ = file->addAction(QStringLiteral("&Open Project…"), this, &MainWindow::openProjectDialog);
    openAction_->setObjectName(QStringLiteral("openProjectAction"));
    openAction_->setShortcut(QKeySequence::Open);
    file->addSeparator();
    importDatasetAction_ = file->addAction(QStringLiteral("Import &MVTec Dataset…"), this, &MainWindow::importDatasetDialog);
    importDatasetAction_->setObjectName(QStringLiteral("importDatasetAction"));
    importDatasetAction_->setStatusTip(QStringLiteral("Import train/good and test/* of a dataset in the MVTec AD layout"));
    importImagesAction_ = file->addAction(QStringLiteral("Import &Good Images…"), this, &MainWindow::importGoodImagesDialog);
    importImagesAction_->setObjectName(QStringLiteral("importImagesAction"));
    importImagesAction_->setStatusTip(QStringLiteral("Import a folder of defect-free images for training"));
    file->addSeparator();
    quitAction_ = file->addAction(QStringLiteral("&Quit"), this, &QWidget::close);
    quitAction_->setObjectName(QStringLiteral("quitAction"));
    quitAction_->setShortcut(QKeySequence::Quit);

    QMenu* model = menuBar()->addMenu(QStringLiteral("&Model"));
    trainAction_ = model->addAction(QStringLiteral("&Train…"), this, &MainWindow::trainDialog);
    trainAction_->setObjectName(QStringLiteral("trainAction"));
    trainAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    scoreAction_ = model->addAction(QStringLiteral("&Score Test Images"), this, &MainWindow::scoreTestImages);
    scoreAction_->setObjectName(QStringLiteral("scoreAction"));
    scoreAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    scoreAction_->setStatusTip(QStringLiteral("Score every test image with the selected model"));

    QMenu* help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(QStringLiteral("&About DefectScope"), this, &MainWindow::about);
}

void MainWindow::createWidgets()
{
    // Left: models on top, the selected model's latest run below.
    modelsView_ = new QTreeWidget;
    modelsView_->setObjectName(QStringLiteral("modelsView"));
    modelsView_->setRootIsDecorated(false);
    modelsView_->setHeaderLabels({QStringLiteral("Model"), QStringLiteral("Method"), QStringLiteral("Training time"),
                                  QStringLiteral("Threshold")});
    modelsView_->setAlternatingRowColors(true);
    modelsView_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    modelsView_->header()->setStretchLastSection(false);
    connect(modelsView_, &QTreeWidget::itemSelectionChanged, this, &MainWindow::modelSelectionChanged);

    resultsModel_ = new ResultsModel(this);
    resultsProxy_ = new QSortFilterProxyModel(this);
    resultsProxy_->setSourceModel(resultsModel_);
    resultsProxy_->setSortRole(ResultsModel::SortRole);
    resultsView_ = new QTableView;
    resultsView_->setObjectName(QStringLiteral("resultsView"));
    resultsView_->setModel(resultsProxy_);
    resultsView_->setSortingEnabled(true);
    resultsView_->sortByColumn(ResultsModel::ScoreColumn, Qt::DescendingOrder);
    resultsView_->setSelectionBehavior(QAbstractItemView::SelectRows);
    resultsView_->setSelectionMode(QAbstractItemView::SingleSelection);
    resultsView_->setAlternatingRowColors(true);
    resultsView_->verticalHeader()->hide();
    resultsView_->verticalHeader()->setDefaultSectionSize(resultsView_->fontMetrics().height() + 8);
    resultsView_->horizontalHeader()->setSectionResizeMode(ResultsModel::ImageColumn, QHeaderView::Stretch);
    resultsView_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(resultsView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::resultSelectionChanged);

    runLabel_ = new QLabel(QStringLiteral("No results"));
    auto* resultsPane = new QWidget;
    auto* resultsLayout = new QVBoxLayout(resultsPane);
    resultsLayout->setContentsMargins(0, 0, 0, 0);
    resultsLayout->addWidget(runLabel_);
    resultsLayout->addWidget(resultsView_);

    auto* left = new QSplitter(Qt::Vertical);
    left->addWidget(modelsView_);
    left->addWidget(resultsPane);
    left->setStretchFactor(0, 1);
    left->setStretchFactor(1, 4);
    left->setSizes({140, 600});

    // Right: the image with its heatmap, and the sliders that change how it is judged.
    imageView_ = new ImageLabel;
    imageView_->setObjectName(QStringLiteral("imageView"));
    imageView_->setPlaceholder(QStringLiteral("Open a project, train a model and score the test images to see results here."));
    imageInfo_ = new QLabel;
    imageInfo_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    thresholdSlider_ = new QSlider(Qt::Horizontal);
    thresholdSlider_->setObjectName(QStringLiteral("thresholdSlider"));
    thresholdSlider_->setRange(0, kSliderSteps);
    thresholdSlider_->setEnabled(false);
    thresholdSlider_->setToolTip(QStringLiteral("Images scoring at or above the threshold are judged defective"));
    thresholdValue_ = new QLabel;
    thresholdValue_->setMinimumWidth(thresholdValue_->fontMetrics().horizontalAdvance(QStringLiteral("00000.0000 (00 defects)")));
    connect(thresholdSlider_, &QSlider::valueChanged, this, &MainWindow::thresholdSliderMoved);

    opacitySlider_ = new QSlider(Qt::Horizontal);
    opacitySlider_->setObjectName(QStringLiteral("opacitySlider"));
    opacitySlider_->setRange(0, 100);
    opacitySlider_->setValue(45);
    opacitySlider_->setToolTip(QStringLiteral("Opacity of the heatmap over the image"));
    opacityValue_ = new QLabel(QStringLiteral("45 %"));
    connect(opacitySlider_, &QSlider::valueChanged, this, [this](int value) {
        opacityValue_->setText(QString::number(value) + QStringLiteral(" %"));
        renderCurrentImage();
    });

    auto* controls = new QGridLayout;
    controls->addWidget(new QLabel(QStringLiteral("Threshold:")), 0, 0);
    controls->addWidget(thresholdSlider_, 0, 1);
    controls->addWidget(thresholdValue_, 0, 2);
    resetThreshold_ = new QPushButton(QStringLiteral("Reset"));
    resetThreshold_->setObjectName(QStringLiteral("resetThresholdButton"));
    resetThreshold_->setToolTip(QStringLiteral("Back to the threshold the model chose"));
    resetThreshold_->setEnabled(false);
    connect(resetThreshold_, &QPushButton::clicked, this, &MainWindow::resetThreshold);
    controls->addWidget(resetThreshold_, 0, 3);
    controls->addWidget(new QLabel(QStringLiteral("Heatmap opacity:")), 1, 0);
    controls->addWidget(opacitySlider_, 1, 1);
    controls->addWidget(opacityValue_, 1, 2);
    controls->setColumnStretch(1, 1);

    thresholdPlots_ = new ThresholdPlots;
    thresholdPlots_->setObjectName(QStringLiteral("thresholdPlots"));
    connect(thresholdPlots_, &ThresholdPlots::thresholdChanged, this, &MainWindow::plotThresholdChanged);
    thresholdSaveTimer_ = new QTimer(this);
    thresholdSaveTimer_->setSingleShot(true);
    thresholdSaveTimer_->setInterval(400);
    connect(thresholdSaveTimer_, &QTimer::timeout, this, &MainWindow::saveThresholdNow);

    auto* imagePane = new QWidget;
    auto* imageLayout = new QVBoxLayout(imagePane);
    imageLayout->setContentsMargins(0, 0, 0, 0);
    imageLayout->addWidget(imageView_, 1);
    imageLayout->addWidget(imageInfo_);
    imageLayout->addLayout(controls);

    auto* right = new QSplitter(Qt::Vertical);
    right->setContentsMargins(4, 0, 0, 0);
    right->addWidget(imagePane);
    right->addWidget(thresholdPlots_);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 1);
    right->setSizes({480, 230});

    auto* main = new QSplitter(Qt::Horizontal);
    main->addWidget(left);
    main->addWidget(right);
    main->setStretchFactor(0, 2);
    main->setStretchFactor(1, 3);
    main->setSizes({500, 760});
    auto* central = new QWidget;
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(6, 6, 6, 2);
    centralLayout->addWidget(main);
    setCentralWidget(central);

    // Job panel in the status bar, shown only while a job runs.
    jobPanel_ = new QWidget;
    jobPanel_->setObjectName(QStringLiteral("jobPanel"));
    auto* jobLayout = new QHBoxLayout(jobPanel_);
    jobLayout->setContentsMargins(0, 0, 0, 0);
    jobStage_ = new QLabel;
    jobProgress_ = new QProgressBar;
    jobProgress_->setRange(0, 1000);
    jobProgress_->setTextVisible(true);
    jobProgress_->setMinimumWidth(220);
    jobCancel_ = new QPushButton(QStringLiteral("Cancel"));
    jobCancel_->setObjectName(QStringLiteral("cancelJobButton"));
    connect(jobCancel_, &QPushButton::clicked, this, &MainWindow::cancelJob);
    jobLayout->addWidget(jobStage_);
    jobLayout->addWidget(jobProgress_);
    jobLayout->addWidget(jobCancel_);
    statusBar()->addPermanentWidget(jobPanel_);
    jobPanel_->hide();
}

void MainWindow::updateActions()
{
    const bool hasProject = project_ != nullptr;
    const bool idle = !jobRunning_;
    newAction_->setEnabled(idle);
    openAction_->setEnabled(idle);
    importDatasetAction_->setEnabled(hasProject && idle);
    importImagesAction_->setEnabled(hasProject && idle);
    trainAction_->setEnabled(hasProject && idle);
    scoreAction_->setEnabled(hasProject && idle && selectedModelId() != 0);
}

void MainWindow::updateTitle()
{
    if (projectPath_.isEmpty())
        setWindowTitle(QStringLiteral("DefectScope"));
    else
        setWindowTitle(QFileInfo(projectPath_).fileName() + QStringLiteral(" — DefectScope"));
}

void MainWindow::showMessage(bool error, const QString& title, const QString& text, const QString& details)
{
    // Non-modal, so neither a running event loop nor an automated test is blocked.
    auto* box = new QMessageBox(error ? QMessageBox::Warning : QMessageBox::Information, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    if (!details.isEmpty())
        box->setDetailedText(details);
    box->setModal(false);
    box->show();
    statusBar()->showMessage(text, 10000);
}

// ---- Project ---------------------------------------------------------------------------

bool MainWindow::openProject(const QString& path)
{
    if (jobRunning_)
        return false;
    std::unique_ptr<ds::ProjectFile> project;
    try {
        project = std::make_unique<ds::ProjectFile>(ds::ProjectFile::openOrCreate(path.toStdString()));
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Open Project"), QStringLiteral("Could not open the project."), fromStd(e.what()));
        return false;
    }
    closeProject();
    project_ = std::move(project);
    projectPath_ = QFileInfo(path).absoluteFilePath();
    updateTitle();
    refreshModels();
    // Show the newest model's latest run straight away.
    if (modelsView_->topLevelItemCount() > 0)
        modelsView_->setCurrentItem(modelsView_->topLevelItem(modelsView_->topLevelItemCount() - 1));
    updateActions();
    statusBar()->showMessage(QStringLiteral("Opened %1").arg(QDir::toNativeSeparators(projectPath_)), 5000);
    Q_EMIT projectChanged(projectPath_);
    return true;
}

void MainWindow::closeProject()
{
    modelsView_->clear();
    loadLatestRun(0);
    project_.reset();
    projectPath_.clear();
    updateTitle();
    updateActions();
}

void MainWindow::refreshModels()
{
    const qint64 previous = selectedModelId();
    const QSignalBlocker blocker(modelsView_);
    modelsView_->clear();
    if (!project_)
        return;
    try {
        for (const ds::ModelRecord& model : project_->models()) {
            auto* item = new QTreeWidgetItem(modelsView_);
            item->setText(0, fromStd(model.name));
            item->setText(1, fromStd(model.method));
            item->setText(2, formatSeconds(model.trainSeconds));
            item->setText(3, QString::number(model.threshold, 'f', 4));
            item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
            item->setTextAlignment(3, Qt::AlignRight | Qt::AlignVCenter);
            item->setData(0, kModelIdRole, QVariant::fromValue<qint64>(model.id));
            item->setToolTip(0, QStringLiteral("%1 on %2, %3 training images, created %4")
                                    .arg(fromStd(model.method), fromStd(model.backbone))
                                    .arg(model.nTrain)
                                    .arg(fromStd(model.createdAt)));
            if (model.id == previous)
                modelsView_->setCurrentItem(item);
        }
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Models"), QStringLiteral("Could not read the models."), fromStd(e.what()));
    }
    for (int column = 1; column < modelsView_->columnCount(); ++column)
        modelsView_->resizeColumnToContents(column);
}

qint64 MainWindow::selectedModelId() const
{
    const QTreeWidgetItem* item = modelsView_ ? modelsView_->currentItem() : nullptr;
    return item ? item->data(0, kModelIdRole).toLongLong() : 0;
}

void MainWindow::selectModel(qint64 modelId)
{
    for (int i = 0; i < modelsView_->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = modelsView_->topLevelItem(i);
        if (item->data(0, kModelIdRole).toLongLong() == modelId) {
            modelsView_->setCurrentItem(item);
            loadLatestRun(modelId); // also when it was selected already: the run may be new
            return;
        }
    }
}

void MainWindow::modelSelectionChanged()
{
    loadLatestRun(selectedModelId());
    updateActions();
}

void MainWindow::loadLatestRun(qint64 modelId)
{
    saveThresholdNow(); // the previous model's, before runModelId_ changes
    runId_ = 0;
    runModelId_ = 0;
    imageId_ = 0;
    image_.release();
    heatmap_.release();
    std::vector<ResultsModel::Row> rows;
    double threshold = 0.0;
    QString runText = modelId ? QStringLiteral("Not scored yet: use Model → Score Test Images (Ctrl+R).")
                              : QStringLiteral("No model selected.");
    if (project_ && modelId) {
        try {
            const std::vector<ds::RunRecord> runs = project_->runs(modelId);
            auto latest = std::find_if(runs.rbegin(), runs.rend(),
                                       [](const ds::RunRecord& run) { return run.status == ds::RunStatus::Done; });
            if (latest != runs.rend()) {
                runId_ = latest->id;
                threshold = latest->threshold;
                runThreshold_ = threshold;
                runModelId_ = modelId;
                if (const auto stored = project_->setting("view/threshold/" + std::to_string(modelId))) {
                    bool ok = false;
                    const double value = fromStd(*stored).toDouble(&ok);
                    if (ok && std::isfinite(value))
                        threshold = value;
                }
                std::map<std::int64_t, ds::ImageRecord> images;
                for (ds::ImageRecord& image : project_->images())
                    images.emplace(image.id, std::move(image));
                for (const ds::ResultRecord& result : project_->results(runId_, ds::ProjectFile::Heatmaps::Skip)) {
                    ResultsModel::Row row;
                    row.imageId = result.imageId;
                    row.score = result.score;
                    auto image = images.find(result.imageId);
                    if (image != images.end()) {
                        const QFileInfo file(fromStd(image->second.path));
                        row.fileName = file.dir().dirName() + QLatin1Char('/') + file.fileName();
                        row.label = fromStd(image->second.label);
                    }
                    rows.push_back(std::move(row));
                }
                QString when = fromStd(latest->createdAt).left(16);
                when.replace(QLatin1Char('T'), QLatin1Char(' '));
                runText = QStringLiteral("Run %1 · %2 UTC · %3 images").arg(runId_).arg(when).arg(rows.size());
            }
        } catch (const std::exception& e) {
            showMessage(true, QStringLiteral("Results"), QStringLiteral("Could not read the results."), fromStd(e.what()));
            rows.clear();
            runId_ = 0;
        }
    }
    scoreMin_ = 0.0;
    scoreMax_ = 1.0;
    if (!rows.empty()) {
        const auto [low, high] = std::minmax_element(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
            return a.score < b.score;
        });
        scoreMin_ = std::min(low->score, threshold);
        scoreMax_ = std::max(high->score, threshold);
        if (scoreMax_ - scoreMin_ < 1e-9)
            scoreMax_ = scoreMin_ + 1.0;
    }
    runLabel_->setText(runText);
    {
        std::vector<float> plotScores;
        std::vector<int> plotLabels;
        for (const ResultsModel::Row& row : rows) {
            plotScores.push_back(float(row.score));
            // "good" and unlabelled images count as good; any other label is a defect.
            plotLabels.push_back(row.label.isEmpty() || row.label == QStringLiteral("good") ? 0 : 1);
        }
        thresholdPlots_->setScores(std::move(plotScores), std::move(plotLabels));
    }
    resultsModel_->setRows(std::move(rows), threshold);
    thresholdSlider_->setEnabled(runId_ != 0);
    resetThreshold_->setEnabled(runId_ != 0);
    thresholdPlots_->setEnabled(runId_ != 0);
    applyThreshold(threshold, true); // exactly this value, not the slider's rounding
    thresholdDirty_ = false;
    imageInfo_->clear();
    if (resultsProxy_->rowCount() > 0) {
        resultsView_->selectRow(0);
        resultsView_->setCurrentIndex(resultsProxy_->index(0, 0));
    } else {
        imageView_->setPlaceholder(modelId ? runText : QStringLiteral("Select a model to see its results."));
    }
}

double MainWindow::sliderToThreshold(int value) const
{
    return scoreMin_ + (scoreMax_ - scoreMin_) * double(value) / kSliderSteps;
}

int MainWindow::thresholdToSlider(double threshold) const
{
    return std::clamp(int(std::lround((threshold - scoreMin_) / (scoreMax_ - scoreMin_) * kSliderSteps)), 0, kSliderSteps);
}

double MainWindow::currentThreshold() const { return resultsModel_->threshold(); }

void MainWindow::thresholdSliderMoved(int value)
{
    if (runId_ == 0) {
        thresholdValue_->clear();
        return;
    }
    applyThreshold(sliderToThreshold(value), false);
    scheduleThresholdSave();
}

void MainWindow::plotThresholdChanged(double threshold)
{
    if (runId_ == 0)
        return;
    applyThreshold(threshold, true);
    scheduleThresholdSave();
}

void MainWindow::resetThreshold()
{
    if (runId_ == 0)
        return;
    applyThreshold(runThreshold_, true);
    scheduleThresholdSave();
}

void MainWindow::applyThreshold(double threshold, bool updateSlider)
{
    if (updateSlider) {
        const QSignalBlocker blocker(thresholdSlider_);
        thresholdSlider_->setValue(thresholdToSlider(threshold));
    }
    thresholdPlots_->setThreshold(threshold);
    resultsModel_->setThreshold(threshold);
    thresholdValue_->setText(runId_ ? QStringLiteral("%1 (%2 defects)").arg(threshold, 0, 'f', 4).arg(resultsModel_->defectCount())
                                    : QString());
    renderCurrentImage();
}

void MainWindow::scheduleThresholdSave()
{
    thresholdDirty_ = true;
    thresholdSaveTimer_->start();
}

void MainWindow::saveThresholdNow()
{
    thresholdSaveTimer_->stop();
    if (!thresholdDirty_ || !project_ || !runModelId_)
        return;
    thresholdDirty_ = false;
    try {
        project_->setSetting("view/threshold/" + std::to_string(runModelId_),
                             QString::number(currentThreshold(), 'g', 17).toStdString());
    } catch (const std::exception& e) {
        statusBar()->showMessage(QStringLiteral("Could not save the threshold: ") + fromStd(e.what()), 10000);
    }
}

void MainWindow::resultSelectionChanged()
{
    const QModelIndex current = resultsView_->currentIndex();
    image_.release();
    heatmap_.release();
    imageId_ = current.isValid() ? current.data(ResultsModel::ImageIdRole).toLongLong() : 0;
    if (!imageId_ || !project_) {
        imageView_->setPlaceholder(QString());
        imageInfo_->clear();
        return;
    }
    try {
        const std::optional<ds::ImageRecord> record = project_->image(imageId_);
        if (!record)
            throw ds::Error("the image is no longer in the project");
        image_ = ds::loadImageRgb(record->path);
        heatmap_ = project_->heatmap(runId_, imageId_);
    } catch (const std::exception& e) {
        image_.release();
        imageView_->setPlaceholder(QStringLiteral("Cannot show this image:\n") + fromStd(e.what()));
    }
    renderCurrentImage();
}

void MainWindow::renderCurrentImage()
{
    if (!imageId_) {
        imageInfo_->clear();
        return;
    }
    const QModelIndex current = resultsView_->currentIndex();
    const double score = current.data(ResultsModel::ScoreRole).toDouble();
    const double threshold = currentThreshold();
    const QString label = resultsProxy_->index(current.row(), ResultsModel::LabelColumn).data().toString();
    imageInfo_->setText(QStringLiteral("<b>%1</b> &nbsp; label: %2 &nbsp; score: <b>%3</b> &nbsp; verdict: <b>%4</b>")
                            .arg(resultsProxy_->index(current.row(), ResultsModel::ImageColumn).data().toString().toHtmlEscaped(),
                                 label.toHtmlEscaped(), QString::number(score, 'f', 4),
                                 ResultsModel::verdictText(score >= threshold)));
    if (image_.empty())
        return;
    cv::Mat bgr;
    if (heatmap_.empty()) {
        cv::cvtColor(image_, bgr, cv::COLOR_RGB2BGR);
        bgr.convertTo(bgr, CV_8UC3, 255.0);
    } else {
        bgr = ds::renderOverlay(image_, heatmap_, threshold, opacitySlider_->value() / 100.0);
    }
    imageView_->setImage(bgrMatToQImage(bgr));
}

// ---- Dialogs ---------------------------------------------------------------------------

void MainWindow::newProjectDialog()
{
    QString path = QFileDialog::getSaveFileName(this, QStringLiteral("New Project"), QString(),
                                                QStringLiteral("DefectScope projects (*.dsproj)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".dsproj")))
        path += QStringLiteral(".dsproj");
    if (QFileInfo::exists(path) && !QFile::remove(path)) { // the dialog asked to overwrite it
        showMessage(true, QStringLiteral("New Project"), QStringLiteral("Could not replace %1.").arg(path));
        return;
    }
    openProject(path);
}

void MainWindow::openProjectDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open Project"), QString(),
                                                      QStringLiteral("DefectScope projects (*.dsproj);;All files (*)"));
    if (!path.isEmpty())
        openProject(path);
}

void MainWindow::importDatasetDialog()
{
    const QString folder = QFileDialog::getExistingDirectory(this, QStringLiteral("Import MVTec Dataset (category folder)"));
    if (!folder.isEmpty())
        importDataset(folder);
}

void MainWindow::importGoodImagesDialog()
{
    const QString folder = QFileDialog::getExistingDirectory(this, QStringLiteral("Import Good Images"));
    if (!folder.isEmpty())
        importGoodImages(folder);
}

void MainWindow::trainDialog()
{
    TrainDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        startTraining(dialog.settings(), dialog.modelName());
}

void MainWindow::about()
{
    QMessageBox::about(this, QStringLiteral("About DefectScope"),
                       QStringLiteral("<h3>DefectScope %1</h3><p>Offline visual anomaly detection.</p>"
                                      "<p>Qt %2<br>OpenCV %3<br>LibTorch %4 (%5)</p>")
                           .arg(QStringLiteral(DEFECTSCOPE_VERSION), QString::fromLatin1(qVersion()),
                                QStringLiteral(CV_VERSION), fromStd(ds::torchVersion()),
                                fromStd(ds::computeDeviceName())));
}

// ---- Jobs ------------------------------------------------------------------------------

void MainWindow::importDataset(const QString& folder)
{
    const std::string project = projectPath_.toStdString();
    const std::string root = folder.toStdString();
    runJob(QStringLiteral("Importing dataset"), [project, root](ds::JobContext& job) {
        const ds::ImportReport report = ds::importMvtecDataset(project, root, job);
        JobOutcome outcome;
        outcome.message = QStringLiteral("Imported %1 images (%2 already present).").arg(report.added).arg(report.duplicates);
        outcome.skipped = skippedList(report.skipped);
        return outcome;
    });
}

void MainWindow::importGoodImages(const QString& folder)
{
    const std::string project = projectPath_.toStdString();
    const std::string dir = folder.toStdString();
    runJob(QStringLiteral("Importing images"), [project, dir](ds::JobContext& job) {
        const std::vector<ds::DatasetItem> items = ds::readGoodFolder(dir);
        if (items.empty())
            throw ds::InputError("no image files in " + dir);
        const ds::ImportReport report = ds::importImages(project, items, ds::Split::Train, job);
        JobOutcome outcome;
        outcome.message = QStringLiteral("Imported %1 good images (%2 already present).").arg(report.added).arg(report.duplicates);
        outcome.skipped = skippedList(report.skipped);
        return outcome;
    });
}

void MainWindow::startTraining(const ds::DetectorSettings& settings, const QString& name)
{
    const std::string project = projectPath_.toStdString();
    const std::string modelName = name.toStdString();
    runJob(QStringLiteral("Training"), [project, settings, modelName](ds::JobContext& job) {
        const ds::TrainOutcome trained = ds::trainModel(project, settings, modelName, job);
        JobOutcome outcome;
        outcome.message = QStringLiteral("Trained on %1 images in %2; threshold %3. Score the test images with Ctrl+R.")
                              .arg(trained.trainCount)
                              .arg(formatSeconds(trained.trainSeconds))
                              .arg(trained.threshold, 0, 'f', 4);
        outcome.skipped = skippedList(trained.skipped);
        outcome.selectModelId = trained.modelId;
        return outcome;
    });
}

void MainWindow::scoreTestImages()
{
    const qint64 modelId = selectedModelId();
    if (!modelId) {
        showMessage(true, QStringLiteral("Score Test Images"), QStringLiteral("Select a model first."));
        return;
    }
    const std::string project = projectPath_.toStdString();
    runJob(QStringLiteral("Scoring"), [project, modelId](ds::JobContext& job) {
        const ds::InferOutcome inferred = ds::inferImages(project, modelId, {}, job);
        JobOutcome outcome;
        outcome.message = QStringLiteral("Scored %1 images.").arg(inferred.scored);
        if (inferred.f1Threshold)
            outcome.message += QStringLiteral(" F1-optimal threshold: %1.").arg(*inferred.f1Threshold, 0, 'f', 4);
        outcome.skipped = skippedList(inferred.skipped);
        outcome.selectModelId = modelId;
        return outcome;
    });
}

void MainWindow::runJob(const QString& title, std::function<JobOutcome(ds::JobContext&)> work)
{
    if (jobRunning_ || !project_)
        return;
    jobRunning_ = true;
    job_ = std::make_shared<ds::JobContext>();
    jobStage_->setText(title);
    jobProgress_->setValue(0);
    jobCancel_->setEnabled(true);
    jobPanel_->show();
    updateActions();

    // Progress arrives on the worker thread; the UI updates on ours.
    QPointer<MainWindow> self(this);
    job_->setProgressCallback([self](double fraction, const std::string& stage) {
        if (!self)
            return;
        const QString text = fromStd(stage);
        QMetaObject::invokeMethod(
            self.data(),
            [self, fraction, text] {
                if (!self)
                    return;
                self->jobStage_->setText(text);
                self->jobProgress_->setValue(int(std::clamp(fraction, 0.0, 1.0) * 1000));
            },
            Qt::QueuedConnection);
    });
    std::shared_ptr<ds::JobContext> job = job_;
    jobFuture_ = QtConcurrent::run([self, job, work = std::move(work)] {
        JobOutcome outcome;
        try {
            outcome = work(*job);
        } catch (const ds::Cancelled&) {
            outcome.status = JobOutcome::Status::Cancelled;
            outcome.message = QStringLiteral("Cancelled: the project is unchanged.");
        } catch (const std::exception& e) {
            outcome.status = JobOutcome::Status::Failed;
            outcome.message = fromStd(e.what());
        } catch (...) {
            outcome.status = JobOutcome::Status::Failed;
            outcome.message = QStringLiteral("Unknown error.");
        }
        if (job->isCancelled() && outcome.status == JobOutcome::Status::Failed)
            outcome.status = JobOutcome::Status::Cancelled;
        if (!self)
            return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, outcome] {
                if (self)
                    self->finishJob(outcome);
            },
            Qt::QueuedConnection);
    });
    Q_EMIT jobStarted(title);
}

void MainWindow::cancelJob()
{
    if (!job_)
        return;
    job_->cancel();
    jobCancel_->setEnabled(false);
    jobStage_->setText(QStringLiteral("Cancelling…"));
}

void MainWindow::finishJob(const JobOutcome& outcome)
{
    jobFuture_.waitForFinished(); // already returning: the lambda's last act queued us
    job_.reset();
    jobRunning_ = false;
    jobPanel_->hide();

    refreshModels();
    if (outcome.selectModelId)
        selectModel(outcome.selectModelId);
    else
        loadLatestRun(selectedModelId());
    updateActions();

    switch (outcome.status) {
    case JobOutcome::Status::Succeeded:
        statusBar()->showMessage(outcome.message, 15000);
        if (!outcome.skipped.isEmpty())
            showMessage(false, QStringLiteral("Skipped Files"),
                        QStringLiteral("%1\n%2 files were skipped.").arg(outcome.message).arg(outcome.skipped.size()),
                        outcome.skipped.join(QLatin1Char('\n')));
        break;
    case JobOutcome::Status::Cancelled:
        statusBar()->showMessage(outcome.message, 15000);
        break;
    case JobOutcome::Status::Failed:
        showMessage(true, QStringLiteral("Job Failed"), outcome.message);
        break;
    }
    Q_EMIT jobFinished(outcome.status == JobOutcome::Status::Succeeded);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (jobRunning_) {
        cancelJob();
        jobFuture_.waitForFinished();
    }
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    QMainWindow::closeEvent(event);
}

} // namespace ds::ui
