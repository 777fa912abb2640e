#include "ui/MainWindow.h"

#include "core/Error.h"
#include "core/backbones/TorchRuntime.h"
#include "core/jobs/RunMetrics.h"
#include "ui/CompareDialog.h"
#include "ui/DroppedPaths.h"
#include "ui/ImageConversion.h"
#include "ui/ImagePane.h"
#include "ui/InspectPanel.h"
#include "ui/InterruptedRunBox.h"
#include "ui/ProjectSession.h"
#include "ui/Wording.h"
#include "ui/jobs/JobPanel.h"
#include "ui/jobs/WorkbenchJobs.h"
#include "ui/models/ModelsModel.h"
#include "ui/models/ModelsView.h"
#include "ui/models/ResultsPane.h"
#include "ui/pages/ModelsPage.h"
#include "ui/MenuActions.h"
#include "ui/pages/ReviewPage.h"
#include "ui/review/MaskEditor.h"
#include "ui/review/ReviewHistoryView.h"
#include "ui/widgets/ImageView.h"

#include <QAction>
#include <QCheckBox>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include "ui/FileDialogs.h"
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <opencv2/core/version.hpp>

#include <algorithm>

namespace ds::ui {

namespace {

QStringList localPaths(const QMimeData* mime)
{
    QStringList paths;
    if (mime && mime->hasUrls())
        for (const QUrl& url : mime->urls())
            if (url.isLocalFile())
                paths << url.toLocalFile();
    return paths;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    setAcceptDrops(true);
    session_ = new ProjectSession(this);
    jobs_ = new JobRunner(this);
    createWidgets();
    createFileMenu();
    createModelMenu();
    createViewMenu();
    createReviewMenu();
    QMenu* help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(QStringLiteral("&About DefectScope"), this, &MainWindow::about);

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray()))
        resize(1360, 860);
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow()
{
    // A job still running must not outlive the window.
    jobs_->cancelAndWait();
    saveViewState();
    // Before the session's connection goes: the page writes a pending threshold through it.
    review_->setProject(nullptr, {});
}

QString MainWindow::projectPath() const
{
    return session_->path();
}

QStringList MainWindow::recentProjects()
{
    return ProjectSession::recentProjects();
}

void MainWindow::createWidgets()
{
    models_ = new ModelsModel(this);
    review_ = new ReviewPage(models_, this);
    modelsPage_ = new ModelsPage(models_, session_, review_, this);
    connect(modelsPage_, &ModelsPage::selectionChanged, this, &MainWindow::modelSelectionChanged);
    connect(modelsPage_, &ModelsPage::trainRequested, this, &MainWindow::startTraining);
    connect(modelsPage_, &ModelsPage::scoreRequested, this, &MainWindow::scoreTestImages);
    connect(modelsPage_, &ModelsPage::compareRequested, this, &MainWindow::compareModels);
    connect(modelsPage_, &ModelsPage::message, this, &MainWindow::showMessage);
    connect(modelsPage_, &ModelsPage::status, this, &MainWindow::showStatus);
    connect(review_, &ReviewPage::message, this, &MainWindow::showMessage);
    connect(review_, &ReviewPage::status, this, &MainWindow::showStatus);
    connect(review_, &ReviewPage::stateChanged, this, &MainWindow::updateActions);
    connect(review_, &ReviewPage::jobRequested, this, &MainWindow::runJob);
    connect(review_, &ReviewPage::thresholdChanged, this, [this](std::int64_t modelId, double threshold) {
        models_->setThreshold(modelId, threshold);
        if (modelId == modelsPage_->selectedModelId())
            inspectPanel_->setThreshold(threshold);
    });

    auto* left = new QSplitter(Qt::Vertical);
    left->addWidget(modelsPage_->view());
    left->addWidget(review_->resultsPane());
    left->setStretchFactor(0, 1);
    left->setStretchFactor(1, 4);
    left->setSizes({140, 600});

    inspectPanel_ = new InspectPanel;
    inspectPanel_->setObjectName(QStringLiteral("inspectPanel"));
    connect(inspectPanel_, &InspectPanel::addedToProject, this,
            [this] { showStatus(QStringLiteral("Added to the test images: Score Test Images (Ctrl+R) includes it."), 10000); });
    tabs_ = new QTabWidget;
    tabs_->setObjectName(QStringLiteral("centralTabs"));
    tabs_->addTab(review_->reviewTab(), QStringLiteral("Review"));
    tabs_->addTab(inspectPanel_, QStringLiteral("Inspect"));
    tabs_->setTabToolTip(0, QStringLiteral("Ranked results, heatmaps, verdicts and the threshold (Alt+1)"));
    tabs_->setTabToolTip(1, QStringLiteral("Drop any image here to score it with the selected model (Alt+2)"));

    auto* main = new QSplitter(Qt::Horizontal);
    main->addWidget(left);
    main->addWidget(tabs_);
    main->setStretchFactor(0, 2);
    main->setStretchFactor(1, 3);
    main->setSizes({520, 820});
    auto* central = new QWidget;
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(6, 6, 6, 2);
    centralLayout->addWidget(main);
    setCentralWidget(central);

    historyDock_ = new QDockWidget(QStringLiteral("History"), this);
    historyDock_->setObjectName(QStringLiteral("historyDock"));
    historyDock_->setWidget(review_->historyView());
    addDockWidget(Qt::BottomDockWidgetArea, historyDock_);
    resizeDocks({historyDock_}, {140}, Qt::Vertical);
    historyDock_->hide();

    jobPanel_ = new JobPanel(jobs_);
    statusBar()->addPermanentWidget(jobPanel_);
    logDock_ = new QDockWidget(QStringLiteral("Job Log"), this);
    logDock_->setObjectName(QStringLiteral("jobLogDock"));
    logDock_->setWidget(jobPanel_->logArea());
    addDockWidget(Qt::BottomDockWidgetArea, logDock_);
    logDock_->hide();
    connect(jobPanel_, &JobPanel::curvesStarted, logDock_, &QWidget::show);
    connect(jobs_, &JobRunner::finished, this, &MainWindow::finishJob);
}

void MainWindow::createFileMenu()
{
    QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
    newAction_ = addMenuAction(file, QStringLiteral("&New Project…"), "newProjectAction", QKeySequence::New);
    connect(newAction_, &QAction::triggered, this, &MainWindow::newProjectDialog);
    openAction_ = addMenuAction(file, QStringLiteral("&Open Project…"), "openProjectAction", QKeySequence::Open);
    connect(openAction_, &QAction::triggered, this, &MainWindow::openProjectDialog);
    recentMenu_ = file->addMenu(QStringLiteral("Open &Recent"));
    recentMenu_->setObjectName(QStringLiteral("recentMenu"));
    connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::updateRecentMenu);
    saveAsAction_ = addMenuAction(file, QStringLiteral("Save Project &As…"), "saveAsAction", QKeySequence::SaveAs,
                                  QStringLiteral("Write a copy of the project and continue working in the copy"));
    connect(saveAsAction_, &QAction::triggered, this, &MainWindow::saveProjectAsDialog);
    file->addSeparator();
    QAction* importDataset = addMenuAction(file, QStringLiteral("Import &MVTec Dataset…"), "importDatasetAction",
                                           QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D),
                                           QStringLiteral("Import train/good and test/* of a dataset in the MVTec AD layout"));
    connect(importDataset, &QAction::triggered, this, &MainWindow::importDatasetDialog);
    QAction* importImages = addMenuAction(
        file, QStringLiteral("Import &Good Images…"), "importImagesAction", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G),
        QStringLiteral("Import defect-free image files for training (or drop them on the window)"));
    connect(importImages, &QAction::triggered, this, &MainWindow::importGoodImagesDialog);
    QAction* importFolder = addMenuAction(file, QStringLiteral("Import Good Image &Folder…"), "importFolderAction", {},
                                          QStringLiteral("Import every image of a folder of defect-free parts for training"));
    connect(importFolder, &QAction::triggered, this, &MainWindow::importGoodFolderDialog);
    importActions_ = {importDataset, importImages, importFolder};
    file->addSeparator();
    review_->addExportActions(file);
    file->addSeparator();
    inspectAction_ = addMenuAction(file, QStringLiteral("&Inspect Image…"), "inspectAction", QKeySequence(Qt::CTRL | Qt::Key_I),
                                   QStringLiteral("Score one image with the selected model without adding it to the project"));
    connect(inspectAction_, &QAction::triggered, this, &MainWindow::inspectImageDialog);
    file->addSeparator();
    QAction* quit = addMenuAction(file, QStringLiteral("&Quit"), "quitAction", QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createModelMenu()
{
    QMenu* model = menuBar()->addMenu(QStringLiteral("&Model"));
    modelsPage_->addActions(model);
    model->addSeparator();
    cancelAction_ = addMenuAction(model, QStringLiteral("Cancel &Job"), "cancelJobAction", QKeySequence(Qt::Key_Escape));
    connect(cancelAction_, &QAction::triggered, this, &MainWindow::cancelJob);
}

void MainWindow::createViewMenu()
{
    QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
    review_->addNavigationActions(view);
    view->addSeparator();
    // The image actions act on the pane of the tab in front.
    const auto pane = [this] { return tabs_->currentWidget() == inspectPanel_ ? inspectPanel_->pane() : review_->imagePane(); };
    view->addAction(QStringLiteral("&Fit to Window"), QKeySequence(Qt::CTRL | Qt::Key_0), this,
                    [pane] { pane()->view()->fitToWindow(); });
    view->addAction(QStringLiteral("&Actual Size"), QKeySequence(Qt::CTRL | Qt::Key_1), this,
                    [pane] { pane()->view()->zoomActualSize(); });
    view->addAction(QStringLiteral("Zoom &In"), QKeySequence::ZoomIn, this, [pane] { pane()->view()->zoomIn(); });
    view->addAction(QStringLiteral("Zoom &Out"), QKeySequence::ZoomOut, this, [pane] { pane()->view()->zoomOut(); });
    QAction* sideBySide = view->addAction(QStringLiteral("&Side by Side"), QKeySequence(Qt::CTRL | Qt::Key_B), this,
                                          [pane] { pane()->sideBySideBox()->toggle(); });
    sideBySide->setStatusTip(QStringLiteral("Original and overlay next to each other"));
    view->addAction(QStringLiteral("&Ground Truth Outline"), QKeySequence(Qt::CTRL | Qt::Key_G), this, [pane] {
        if (pane()->groundTruthBox()->isEnabled())
            pane()->groundTruthBox()->toggle();
    });
    view->addSeparator();
    view->addAction(QStringLiteral("&Review Tab"), QKeySequence(Qt::ALT | Qt::Key_1), this,
                    [this] { tabs_->setCurrentIndex(0); });
    view->addAction(QStringLiteral("Inspe&ct Tab"), QKeySequence(Qt::ALT | Qt::Key_2), this,
                    [this] { tabs_->setCurrentIndex(1); });
    QAction* logAction = logDock_->toggleViewAction();
    logAction->setText(QStringLiteral("Job &Log"));
    logAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    view->addAction(logAction);
    QAction* historyAction = historyDock_->toggleViewAction();
    historyAction->setText(QStringLiteral("Image &History"));
    historyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    view->addAction(historyAction);
}

void MainWindow::createReviewMenu()
{
    QMenu* review = menuBar()->addMenu(QStringLiteral("&Review"));
    review_->addReviewActions(review);
}

void MainWindow::updateActions()
{
    const bool hasProject = session_->isOpen();
    const bool idle = !jobs_->isRunning();
    const bool hasModel = hasProject && modelsPage_->selectedModelId() != 0;
    cancelAction_->setEnabled(!idle);
    inspectPanel_->setImportAllowed(idle);
    newAction_->setEnabled(idle);
    openAction_->setEnabled(idle);
    recentMenu_->setEnabled(idle);
    saveAsAction_->setEnabled(hasProject && idle);
    for (QAction* import : importActions_)
        import->setEnabled(hasProject && idle);
    modelsPage_->updateActions(idle);
    inspectAction_->setEnabled(hasModel);
    review_->updateActions(idle);
}

void MainWindow::updateTitle()
{
    if (session_->path().isEmpty())
        setWindowTitle(QStringLiteral("DefectScope"));
    else
        setWindowTitle(QFileInfo(session_->path()).fileName() + QStringLiteral(" — DefectScope"));
}

void MainWindow::showMessage(bool error, const QString& title, const QString& text, const QString& details)
{
    // Non-modal, so neither a running event loop nor an automated test is blocked.
    auto* box = new QMessageBox(error ? QMessageBox::Warning : QMessageBox::Information, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    // A reason of a few lines is shown at once (it is what the user needs to act on); only
    // long lists, such as skipped files, wait behind Show Details.
    if (details.count(QLatin1Char('\n')) < 3 && details.size() < 400)
        box->setInformativeText(details);
    else
        box->setDetailedText(details);
    box->setModal(false);
    box->show();
    showStatus(text, 10000);
}

void MainWindow::showStatus(const QString& text, int milliseconds)
{
    statusBar()->showMessage(text, milliseconds);
}

// ---- Project ---------------------------------------------------------------------------

bool MainWindow::openProject(const QString& path)
{
    if (jobs_->isRunning())
        return false;
    saveViewState();
    review_->saveThresholdNow();
    ProjectSession next;
    try {
        next.open(path); // the open project stays when this one cannot be opened
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Open Project"), QStringLiteral("Could not open the project."), fromStd(e.what()));
        return false;
    }
    closeProject();
    session_->open(path);
    updateTitle();
    review_->setProject(session_->file(), session_->path());
    modelsPage_->refresh();
    // Back to where the user was: the model and image last shown, else the newest model.
    const ProjectSession::View view = session_->lastView();
    if (view.modelId)
        modelsPage_->select(view.modelId);
    if (!modelsPage_->selectedModelId())
        modelsPage_->selectNewest();
    if (view.imageId)
        review_->selectImage(view.imageId);
    updateActions();
    showStatus(QStringLiteral("Opened %1").arg(QDir::toNativeSeparators(session_->path())), 5000);
    Q_EMIT projectChanged(session_->path());
    offerInterruptedRuns();
    return true;
}

void MainWindow::offerInterruptedRuns()
{
    ds::ProjectFile* project = session_->file();
    try {
        const std::vector<ds::RunRecord> interrupted = project->interruptedRuns();
        if (interrupted.empty())
            return;
        const ds::RunRecord& run = interrupted.front();
        const ds::ModelSummary* model = models_->summary(run.modelId);
        auto* box = new InterruptedRunBox(run.id, model ? fromStd(model->model.name) : QString(), project->resultCount(run.id),
                                          int(project->images(ds::Split::Test).size()), this);
        connect(box, &InterruptedRunBox::resumeRequested, this, &MainWindow::resumeScoring);
        connect(box, &InterruptedRunBox::discardRequested, this, [this](std::int64_t runId) {
            if (!session_->isOpen())
                return;
            try {
                session_->file()->discardRun(runId);
                showStatus(QStringLiteral("Run %1 discarded.").arg(runId), 5000);
            } catch (const std::exception& e) {
                showMessage(true, QStringLiteral("Discard Run"), QStringLiteral("Could not discard the run."), fromStd(e.what()));
            }
        });
        box->show();
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Open Project"), QStringLiteral("Could not read the project's runs."),
                    fromStd(e.what()));
    }
}

void MainWindow::resumeScoring(qint64 runId)
{
    if (jobs_->isRunning() || !session_->isOpen())
        return;
    std::optional<ds::RunRecord> run;
    try {
        run = session_->file()->run(runId);
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Resume Scoring"), QStringLiteral("Could not read the project."), fromStd(e.what()));
        return;
    }
    if (!run || run->status != ds::RunStatus::Interrupted)
        return;
    modelsPage_->select(run->modelId);
    startScoring(run->modelId, runId);
}

void MainWindow::closeProject()
{
    saveViewState();
    if (compareDialog_) // it shows this project's data
        compareDialog_->close();
    inspectPanel_->clearModel();
    review_->setProject(nullptr, {});
    models_->setSummaries({});
    session_->close();
    updateTitle();
    updateActions();
}

bool MainWindow::saveProjectAs(const QString& path)
{
    if (!session_->isOpen())
        return false;
    if (jobs_->isRunning() || inspectPanel_->isAdding()) {
        showMessage(true, QStringLiteral("Save Project As"), QStringLiteral("Wait until the running job has finished."));
        return false;
    }
    review_->saveThresholdNow();
    saveViewState();
    try {
        session_->saveCopyAs(path);
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Save Project As"), QStringLiteral("Could not save a copy of the project."),
                    fromStd(e.what()));
        return false;
    }
    return openProject(QFileInfo(path).absoluteFilePath());
}

void MainWindow::saveViewState()
{
    try {
        session_->saveView({modelsPage_->selectedModelId(), review_->imageId()});
    } catch (const std::exception& e) {
        showStatus(QStringLiteral("Could not save the view: ") + fromStd(e.what()), 10000);
    }
}

void MainWindow::updateRecentMenu()
{
    recentMenu_->clear();
    const QStringList recent = ProjectSession::recentProjects();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        QAction* action = recentMenu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(path)), this,
                                                 [this, path] { openProject(path); });
        action->setEnabled(QFileInfo::exists(path));
    }
    if (recent.isEmpty())
        recentMenu_->addAction(QStringLiteral("No recent projects"))->setEnabled(false);
    recentMenu_->addSeparator();
    recentMenu_->addAction(QStringLiteral("&Clear List"), this, [] { ProjectSession::clearRecentProjects(); })
        ->setEnabled(!recent.isEmpty());
}

// ---- Models ----------------------------------------------------------------------------

void MainWindow::modelSelectionChanged()
{
    const qint64 modelId = modelsPage_->selectedModelId();
    review_->showModel(modelId);
    if (const ds::ModelSummary* summary = models_->summary(modelId))
        inspectPanel_->setModel(session_->path(), modelId, summary->threshold);
    else
        inspectPanel_->clearModel();
    updateActions();
}

// ---- Dialogs ---------------------------------------------------------------------------

void MainWindow::newProjectDialog()
{
    QString path
        = askSaveFileName(this, QStringLiteral("New Project"), QString(), QStringLiteral("DefectScope projects (*.dsproj)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".dsproj")))
        path += QStringLiteral(".dsproj");
    if (QFileInfo::exists(path)) { // the dialog asked to overwrite it
        // Under any spelling (a symlink, say): its connection must not outlive the file.
        if (session_->isOpen() && ds::isProjectDatabaseFile(path.toStdString(), session_->path().toStdString()))
            closeProject();
        // SQLite's companion files belong to the old project and must go with it.
        for (const QString& file : {path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm")}) {
            if (QFileInfo::exists(file) && !QFile::remove(file)) {
                showMessage(true, QStringLiteral("New Project"), QStringLiteral("Could not replace %1.").arg(file));
                return;
            }
        }
    }
    openProject(path);
}

void MainWindow::openProjectDialog()
{
    const QString path = askOpenFileName(this, QStringLiteral("Open Project"), QString(),
                                         QStringLiteral("DefectScope projects (*.dsproj);;All files (*)"));
    if (!path.isEmpty())
        openProject(path);
}

void MainWindow::saveProjectAsDialog()
{
    QString path = askSaveFileName(this, QStringLiteral("Save Project As"), session_->path(),
                                   QStringLiteral("DefectScope projects (*.dsproj)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".dsproj")))
        path += QStringLiteral(".dsproj");
    saveProjectAs(path);
}

void MainWindow::importDatasetDialog()
{
    const QString folder = askExistingDirectory(this, QStringLiteral("Import MVTec Dataset (category folder)"));
    if (!folder.isEmpty())
        importDataset(folder);
}

void MainWindow::importGoodImagesDialog()
{
    const QStringList files = askOpenFileNames(this, QStringLiteral("Import Good Images"), QString(),
                                               imageFileFilter() + QStringLiteral(";;All files (*)"));
    if (!files.isEmpty())
        importGoodImageFiles(files);
}

void MainWindow::importGoodFolderDialog()
{
    const QString folder = askExistingDirectory(this, QStringLiteral("Import Good Image Folder"));
    if (!folder.isEmpty())
        importGoodImages(folder);
}

void MainWindow::inspectImageDialog()
{
    if (!modelsPage_->selectedModelId()) {
        showMessage(true, QStringLiteral("Inspect Image"), QStringLiteral("Select a trained model first."));
        return;
    }
    const QString path = askOpenFileName(this, QStringLiteral("Inspect Image"), QString(),
                                         imageFileFilter() + QStringLiteral(";;All files (*)"));
    if (path.isEmpty())
        return;
    tabs_->setCurrentWidget(inspectPanel_);
    inspectPanel_->inspectFile(path);
}

void MainWindow::compareModels()
{
    if (!session_->isOpen())
        return;
    review_->saveThresholdNow(); // the dialog judges each model at its chosen threshold
    if (compareDialog_)
        compareDialog_->close();
    // Models with a finished run start out ticked.
    compareDialog_ = new CompareDialog(session_->path(), this);
    compareDialog_->setAttribute(Qt::WA_DeleteOnClose);
    compareDialog_->show();
}

void MainWindow::about()
{
    QMessageBox::about(this, QStringLiteral("About DefectScope"),
                       QStringLiteral("<h3>DefectScope %1</h3><p>Offline visual anomaly detection.</p>"
                                      "<p>Qt %2<br>OpenCV %3<br>LibTorch %4 (%5)</p>")
                           .arg(QStringLiteral(DEFECTSCOPE_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(CV_VERSION),
                                fromStd(ds::torchVersion()), fromStd(ds::computeDeviceName())));
}

// ---- Drag and drop ---------------------------------------------------------------------

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!jobs_->isRunning() && !localPaths(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QStringList paths = localPaths(event->mimeData());
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    openOrImportPaths(paths);
}

void MainWindow::openOrImportPaths(const QStringList& paths)
{
    const DroppedPaths dropped = classifyDroppedPaths(paths);
    if (dropped.kind == DroppedPaths::Kind::Project) {
        openProject(dropped.paths.first());
        return;
    }
    if (!session_->isOpen()) {
        showMessage(true, QStringLiteral("Import"), QStringLiteral("Create or open a project first (File → New Project)."));
        return;
    }
    switch (dropped.kind) {
    case DroppedPaths::Kind::GoodImages: importGoodImageFiles(dropped.paths); break;
    case DroppedPaths::Kind::Dataset: importDataset(dropped.paths.first()); break;
    case DroppedPaths::Kind::GoodFolder: importGoodImages(dropped.paths.first()); break;
    default:
        showMessage(true, QStringLiteral("Import"), QStringLiteral("Drop image files, one folder, or one .dsproj project file."));
    }
}

// ---- Jobs ------------------------------------------------------------------------------

void MainWindow::importDataset(const QString& folder)
{
    runJob(QStringLiteral("Importing dataset"), jobs::importDataset(session_->path(), folder));
}

void MainWindow::importGoodImages(const QString& folder)
{
    runJob(QStringLiteral("Importing images"), jobs::importGoodFolder(session_->path(), folder));
}

void MainWindow::importGoodImageFiles(const QStringList& files)
{
    runJob(QStringLiteral("Importing images"), jobs::importGoodFiles(session_->path(), files));
}

void MainWindow::startTraining(const ds::DetectorSettings& settings, const QString& name,
                               const std::vector<std::int64_t>& moveToTraining)
{
    if (!moveToTraining.empty())
        jobPanel_->appendLog(QStringLiteral("%1 images reviewed Good join the training set if this training succeeds.")
                                 .arg(moveToTraining.size()));
    runJob(QStringLiteral("Training"), jobs::train(session_->path(), settings, name, moveToTraining));
}

void MainWindow::scoreTestImages()
{
    const qint64 modelId = modelsPage_->selectedModelId();
    if (!modelId) {
        showMessage(true, QStringLiteral("Score Test Images"), QStringLiteral("Select a model first."));
        return;
    }
    startScoring(modelId, 0);
}

// A new run of the model over every test image, or the rest of an interrupted one.
void MainWindow::startScoring(qint64 modelId, qint64 resumeRunId)
{
    const ds::ModelSummary* model = models_->summary(modelId);
    if (jobs_->isRunning() || !session_->isOpen() || !model)
        return;
    // Rows appear as they are scored, judged at the threshold the user chose for this model.
    if (!review_->beginScoring(modelId, model->threshold))
        return;
    // The window waits for its job before it is destroyed, so the page outlives the worker.
    const auto scored = [page = review_](std::int64_t runId, std::int64_t imageId, double score) {
        QMetaObject::invokeMethod(
            page, [page, runId, imageId, score] { page->appendScoredImage(runId, imageId, score); }, Qt::QueuedConnection);
    };
    runJob(QStringLiteral("Scoring"), jobs::score(session_->path(), modelId, resumeRunId, scored));
}

void MainWindow::runJob(const QString& title, JobRunner::Work work)
{
    if (jobs_->isRunning() || !session_->isOpen())
        return;
    jobPanel_->begin(title);
    jobs_->start(title, std::move(work));
    updateActions();
}

void MainWindow::cancelJob()
{
    jobPanel_->cancel();
}

void MainWindow::finishJob(const JobOutcome& outcome)
{
    review_->endScoring();
    const qint64 shownImage = review_->imageId(); // stay on the image the user was looking at
    modelsPage_->refresh();
    if (outcome.selectModelId)
        modelsPage_->select(outcome.selectModelId);
    else
        modelSelectionChanged();
    if (shownImage)
        review_->selectImage(shownImage);
    updateActions();

    for (const QString& skipped : outcome.skipped)
        jobPanel_->appendLog(QStringLiteral("skipped ") + skipped);
    switch (outcome.status) {
    case JobOutcome::Status::Succeeded:
        showStatus(outcome.message, 15000);
        if (!outcome.skipped.isEmpty())
            showMessage(false, QStringLiteral("Skipped Files"),
                        QStringLiteral("%1\n%2 files could not be read and were skipped; the rest was kept.")
                            .arg(outcome.message)
                            .arg(outcome.skipped.size()),
                        outcome.skipped.join(QLatin1Char('\n')));
        break;
    case JobOutcome::Status::Cancelled: showStatus(outcome.message, 15000); break;
    case JobOutcome::Status::Failed:
        // What the user gave (an unreadable file, a project without test images) is said
        // plainly; only a fault of the program is a failed job.
        showMessage(true, outcome.badInput ? QStringLiteral("Cannot Continue") : QStringLiteral("Job Failed"), outcome.message);
        break;
    }
    Q_EMIT jobFinished(outcome.status == JobOutcome::Status::Succeeded);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (jobs_->isRunning()) {
        cancelJob();
        jobs_->cancelAndWait();
    }
    review_->saveThresholdNow();
    saveViewState();
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    QMainWindow::closeEvent(event);
}

} // namespace ds::ui
