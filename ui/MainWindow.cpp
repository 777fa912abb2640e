#include "ui/MainWindow.h"

#include "core/Error.h"
#include "core/backbones/TorchRuntime.h"
#include "core/jobs/RunMetrics.h"
#include "ui/CompareDialog.h"
#include "ui/DroppedPaths.h"
#include "ui/ExportResultsDialog.h"
#include "ui/ImageConversion.h"
#include "ui/ImagePane.h"
#include "ui/InspectPanel.h"
#include "ui/InterruptedRunBox.h"
#include "ui/ProjectSession.h"
#include "ui/TrainDialog.h"
#include "ui/Wording.h"
#include "ui/jobs/JobPanel.h"
#include "ui/jobs/WorkbenchJobs.h"
#include "ui/models/ModelsModel.h"
#include "ui/models/ModelsView.h"
#include "ui/pages/ReviewPage.h"
#include "ui/review/DefectTypesDialog.h"
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
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
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
#include <set>

namespace ds::ui {

namespace {

QString fromStd(const std::string& text)
{
    return QString::fromStdString(text);
}

QStringList localPaths(const QMimeData* mime)
{
    QStringList paths;
    if (mime && mime->hasUrls())
        for (const QUrl& url : mime->urls())
            if (url.isLocalFile())
                paths << url.toLocalFile();
    return paths;
}

QAction* menuAction(QMenu* menu, const QString& text, const char* objectName, const QKeySequence& shortcut,
                    const QString& statusTip = {})
{
    QAction* action = menu->addAction(text);
    action->setObjectName(QString::fromLatin1(objectName));
    action->setShortcut(shortcut);
    action->setStatusTip(statusTip);
    return action;
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
    review_->saveThresholdNow();
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
    modelsView_ = new ModelsView;
    models_ = modelsView_->models();
    connect(modelsView_, &ModelsView::selectionChanged, this, &MainWindow::modelSelectionChanged);
    connect(modelsView_, &ModelsView::deleteRequested, this, &MainWindow::deleteModelDialog);

    review_ = new ReviewPage(models_, this);
    connect(review_, &ReviewPage::message, this, &MainWindow::showMessage);
    connect(review_, &ReviewPage::status, this, &MainWindow::showStatus);
    connect(review_, &ReviewPage::stateChanged, this, &MainWindow::updateActions);
    connect(review_, &ReviewPage::thresholdChanged, this, [this](std::int64_t modelId, double threshold) {
        models_->setThreshold(modelId, threshold);
        if (modelId == selectedModelId())
            inspectPanel_->setThreshold(threshold);
    });

    auto* left = new QSplitter(Qt::Vertical);
    left->addWidget(modelsView_);
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
    newAction_ = menuAction(file, QStringLiteral("&New Project…"), "newProjectAction", QKeySequence::New);
    connect(newAction_, &QAction::triggered, this, &MainWindow::newProjectDialog);
    openAction_ = menuAction(file, QStringLiteral("&Open Project…"), "openProjectAction", QKeySequence::Open);
    connect(openAction_, &QAction::triggered, this, &MainWindow::openProjectDialog);
    recentMenu_ = file->addMenu(QStringLiteral("Open &Recent"));
    recentMenu_->setObjectName(QStringLiteral("recentMenu"));
    connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::updateRecentMenu);
    saveAsAction_ = menuAction(file, QStringLiteral("Save Project &As…"), "saveAsAction", QKeySequence::SaveAs,
                               QStringLiteral("Write a copy of the project and continue working in the copy"));
    connect(saveAsAction_, &QAction::triggered, this, &MainWindow::saveProjectAsDialog);
    file->addSeparator();
    QAction* importDataset = menuAction(file, QStringLiteral("Import &MVTec Dataset…"), "importDatasetAction",
                                        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D),
                                        QStringLiteral("Import train/good and test/* of a dataset in the MVTec AD layout"));
    connect(importDataset, &QAction::triggered, this, &MainWindow::importDatasetDialog);
    QAction* importImages = menuAction(
        file, QStringLiteral("Import &Good Images…"), "importImagesAction", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G),
        QStringLiteral("Import defect-free image files for training (or drop them on the window)"));
    connect(importImages, &QAction::triggered, this, &MainWindow::importGoodImagesDialog);
    QAction* importFolder = menuAction(file, QStringLiteral("Import Good Image &Folder…"), "importFolderAction", {},
                                       QStringLiteral("Import every image of a folder of defect-free parts for training"));
    connect(importFolder, &QAction::triggered, this, &MainWindow::importGoodFolderDialog);
    importActions_ = {importDataset, importImages, importFolder};
    file->addSeparator();
    exportResultsAction_
        = menuAction(file, QStringLiteral("&Export Results…"), "exportResultsAction", QKeySequence(Qt::CTRL | Qt::Key_E),
                     QStringLiteral("A CSV row per image (score, model and human verdicts, defect types) and optional PNGs"));
    connect(exportResultsAction_, &QAction::triggered, this, &MainWindow::exportResultsDialog);
    exportReportAction_ = menuAction(
        file, QStringLiteral("Export &Report…"), "exportReportAction", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
        QStringLiteral("A PDF or HTML report for stakeholders: metrics, plots, flagged images, reviews, comparison"));
    connect(exportReportAction_, &QAction::triggered, this, &MainWindow::exportReportDialog);
    file->addSeparator();
    inspectAction_ = menuAction(file, QStringLiteral("&Inspect Image…"), "inspectAction", QKeySequence(Qt::CTRL | Qt::Key_I),
                                QStringLiteral("Score one image with the selected model without adding it to the project"));
    connect(inspectAction_, &QAction::triggered, this, &MainWindow::inspectImageDialog);
    file->addSeparator();
    QAction* quit = menuAction(file, QStringLiteral("&Quit"), "quitAction", QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createModelMenu()
{
    QMenu* model = menuBar()->addMenu(QStringLiteral("&Model"));
    trainAction_ = menuAction(model, QStringLiteral("&Train…"), "trainAction", QKeySequence(Qt::CTRL | Qt::Key_T));
    connect(trainAction_, &QAction::triggered, this, &MainWindow::trainDialog);
    scoreAction_ = menuAction(model, QStringLiteral("&Score Test Images"), "scoreAction", QKeySequence(Qt::CTRL | Qt::Key_R),
                              QStringLiteral("Score every test image with the selected model"));
    connect(scoreAction_, &QAction::triggered, this, &MainWindow::scoreTestImages);
    compareAction_ = menuAction(model, QStringLiteral("&Compare Models…"), "compareAction", QKeySequence(Qt::CTRL | Qt::Key_M),
                                QStringLiteral("Metrics, ROC curves and heatmaps of several models side by side"));
    connect(compareAction_, &QAction::triggered, this, &MainWindow::compareModels);
    retrainAction_ = menuAction(
        model, QStringLiteral("Retrain with &Reviewed Good Images…"), "retrainAction", {},
        QStringLiteral("Move test images reviewed as Good into the training set and retrain the selected model's settings"));
    connect(retrainAction_, &QAction::triggered, this, &MainWindow::retrainWithReviewsDialog);
    deleteModelAction_ = menuAction(model, QStringLiteral("&Delete Model…"), "deleteModelAction", {},
                                    QStringLiteral("Remove the selected model with its runs and results"));
    connect(deleteModelAction_, &QAction::triggered, this, &MainWindow::deleteModelDialog);
    modelsView_->addAction(deleteModelAction_);
    model->addSeparator();
    cancelAction_ = menuAction(model, QStringLiteral("Cancel &Job"), "cancelJobAction", QKeySequence(Qt::Key_Escape));
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
    defectTypesAction_ = review->addAction(QStringLiteral("Defect &Types…"), this, &MainWindow::defectTypesDialog);
    defectTypesAction_->setObjectName(QStringLiteral("defectTypesAction"));
    review->addAction(QStringLiteral("&Reviewer Name…"), this, &MainWindow::preferencesDialog);
}

void MainWindow::updateActions()
{
    const bool hasProject = session_->isOpen();
    const bool idle = !jobs_->isRunning();
    const bool scoring = review_->isScoring();
    const bool hasModel = hasProject && selectedModelId() != 0;
    const bool hasRun = hasProject && review_->runId() != 0 && !scoring;
    modelsView_->setEnabled(!scoring);
    modelsView_->setToolTip(scoring ? QStringLiteral("Available again when scoring ends") : QString());
    cancelAction_->setEnabled(!idle);
    inspectPanel_->setImportAllowed(idle);
    newAction_->setEnabled(idle);
    openAction_->setEnabled(idle);
    recentMenu_->setEnabled(idle);
    saveAsAction_->setEnabled(hasProject && idle);
    for (QAction* import : importActions_)
        import->setEnabled(hasProject && idle);
    trainAction_->setEnabled(hasProject && idle);
    scoreAction_->setEnabled(hasModel && idle);
    inspectAction_->setEnabled(hasModel);
    compareAction_->setEnabled(hasProject && models_->rowCount() >= 2);
    deleteModelAction_->setEnabled(hasModel && idle);
    retrainAction_->setEnabled(hasModel && idle);
    exportResultsAction_->setEnabled(hasRun && idle);
    exportReportAction_->setEnabled(hasRun && idle);
    defectTypesAction_->setEnabled(hasProject && idle);
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
    refreshModels();
    // Back to where the user was: the model and image last shown, else the newest model.
    const ProjectSession::View view = session_->lastView();
    if (view.modelId)
        selectModel(view.modelId);
    if (!selectedModelId())
        selectModel(modelsView_->newestModelId());
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
    selectModel(run->modelId);
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
        session_->saveView({selectedModelId(), review_->imageId()});
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

void MainWindow::refreshModels()
{
    try {
        modelsView_->refresh(session_->file());
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Models"), QStringLiteral("Could not read the models."), fromStd(e.what()));
    }
}

qint64 MainWindow::selectedModelId() const
{
    return modelsView_->selectedModelId();
}

void MainWindow::selectModel(qint64 modelId)
{
    if (modelsView_->select(modelId))
        modelSelectionChanged(); // also when it was selected already: the run may be new
}

void MainWindow::modelSelectionChanged()
{
    const qint64 modelId = selectedModelId();
    review_->showModel(modelId);
    if (const ds::ModelSummary* summary = models_->summary(modelId))
        inspectPanel_->setModel(session_->path(), modelId, summary->threshold);
    else
        inspectPanel_->clearModel();
    updateActions();
}

bool MainWindow::deleteModel(qint64 modelId)
{
    if (!session_->isOpen() || jobs_->isRunning() || !modelId)
        return false;
    review_->dropPendingThreshold(modelId); // its threshold goes with it
    try {
        session_->file()->deleteModel(modelId); // ids are never reused: its stored threshold is inert
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Delete Model"), QStringLiteral("Could not delete the model."), fromStd(e.what()));
        return false;
    }
    refreshModels();
    if (!selectedModelId())
        modelsView_->select(modelsView_->newestModelId());
    modelSelectionChanged();
    showStatus(QStringLiteral("Model deleted."), 5000);
    return true;
}

void MainWindow::defectTypesEdited(const std::vector<ds::DefectType>& before)
{
    std::vector<ds::DefectType> now;
    try {
        now = session_->file()->defectTypes();
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Defect Types"), QStringLiteral("Could not read the defect types."), fromStd(e.what()));
        return;
    }
    review_->imagePane()->setDefectTypes(now);
    // Undoing an old edit paints the id it painted: once a type is gone, its id may come to
    // name another type, so the edit history goes. Adding, renaming or recolouring keeps it.
    std::set<int> remaining;
    for (const ds::DefectType& type : now)
        remaining.insert(type.id);
    if (std::any_of(before.begin(), before.end(), [&](const ds::DefectType& type) { return !remaining.count(type.id); }))
        review_->imagePane()->maskEditor()->forgetHistory();
    // A renamed type renames the labels that used it; a deleted one turned its regions untyped.
    review_->reload();
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
    if (QFileInfo::exists(path)) { // the dialog asked to overwrite it
        if (QFileInfo(path).absoluteFilePath() == session_->path())
            closeProject(); // its connection must not outlive the file
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
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open Project"), QString(),
                                                      QStringLiteral("DefectScope projects (*.dsproj);;All files (*)"));
    if (!path.isEmpty())
        openProject(path);
}

void MainWindow::saveProjectAsDialog()
{
    QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save Project As"), session_->path(),
                                                QStringLiteral("DefectScope projects (*.dsproj)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".dsproj")))
        path += QStringLiteral(".dsproj");
    saveProjectAs(path);
}

void MainWindow::importDatasetDialog()
{
    const QString folder = QFileDialog::getExistingDirectory(this, QStringLiteral("Import MVTec Dataset (category folder)"));
    if (!folder.isEmpty())
        importDataset(folder);
}

void MainWindow::importGoodImagesDialog()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, QStringLiteral("Import Good Images"), QString(),
                                                            imageFileFilter() + QStringLiteral(";;All files (*)"));
    if (!files.isEmpty())
        importGoodImageFiles(files);
}

void MainWindow::importGoodFolderDialog()
{
    const QString folder = QFileDialog::getExistingDirectory(this, QStringLiteral("Import Good Image Folder"));
    if (!folder.isEmpty())
        importGoodImages(folder);
}

void MainWindow::trainDialog()
{
    TrainDialog dialog(this);
    if (session_->isOpen())
        dialog.setTrainingImageCount(session_->file()->images(ds::Split::Train).size());
    if (dialog.exec() == QDialog::Accepted)
        startTraining(dialog.settings(), dialog.modelName());
}

void MainWindow::deleteModelDialog()
{
    const ds::ModelSummary* model = models_->summary(selectedModelId());
    if (!model || jobs_->isRunning())
        return;
    const auto answer
        = QMessageBox::question(this, QStringLiteral("Delete Model"),
                                QStringLiteral("Delete the model “%1” with all its runs and results? This cannot be undone.")
                                    .arg(fromStd(model->model.name)),
                                QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer == QMessageBox::Yes)
        deleteModel(model->model.id);
}

void MainWindow::retrainWithReviewsDialog()
{
    const ds::ModelSummary* model = models_->summary(selectedModelId());
    if (!model || jobs_->isRunning())
        return;
    size_t count = 0;
    try {
        count = review_->reviewedGoodTestImages().size();
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Retrain"), QStringLiteral("Could not read the project."), fromStd(e.what()));
        return;
    }
    if (count == 0) {
        showMessage(false, QStringLiteral("Retrain"), QStringLiteral("No test image has been reviewed as Good yet."));
        return;
    }
    const auto answer = QMessageBox::question(
        this, QStringLiteral("Retrain with Reviewed Good Images"),
        QStringLiteral("Train a new model with the settings of “%2” on the training set plus the %1 test images "
                       "reviewed as Good? Once it is trained they belong to the training set, so later metrics no "
                       "longer count them; if training is cancelled or fails, nothing moves.")
            .arg(count)
            .arg(fromStd(model->model.name)),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes);
    if (answer == QMessageBox::Yes)
        retrainWithReviewedGood();
}

bool MainWindow::retrainWithReviewedGood()
{
    const ds::ModelSummary* model = models_->summary(selectedModelId());
    if (!model || jobs_->isRunning())
        return false;
    try {
        const std::vector<std::int64_t> good = review_->reviewedGoodTestImages();
        if (good.empty())
            return false;
        const ds::DetectorSettings settings = ds::DetectorSettings::fromJson(model->model.paramsJson);
        const QString name = fromStd(model->model.name) + QStringLiteral(" + %1 reviewed").arg(good.size());
        jobPanel_->appendLog(
            QStringLiteral("%1 images reviewed Good join the training set if this training succeeds.").arg(good.size()));
        startTraining(settings, name, good);
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Retrain"), QStringLiteral("Could not read the reviewed images."), fromStd(e.what()));
        return false;
    }
    return true;
}

void MainWindow::exportResultsDialog()
{
    if (!review_->runId())
        return;
    const QFileInfo project(session_->path());
    ExportResultsDialog dialog(
        project.absolutePath() + QLatin1Char('/') + project.completeBaseName() + QStringLiteral("-results.csv"), this);
    if (dialog.exec() == QDialog::Accepted)
        exportResults(dialog.options());
}

void MainWindow::exportReportDialog()
{
    if (!review_->runId())
        return;
    const QFileInfo project(session_->path());
    QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export Report"),
                                                project.absolutePath() + QLatin1Char('/') + project.completeBaseName()
                                                    + QStringLiteral("-report.pdf"),
                                                QStringLiteral("PDF (*.pdf);;HTML (*.html)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive)
        && !path.endsWith(QStringLiteral(".html"), Qt::CaseInsensitive))
        path += QStringLiteral(".pdf");
    exportReport(path);
}

void MainWindow::defectTypesDialog()
{
    if (!session_->isOpen())
        return;
    std::vector<ds::DefectType> before;
    try {
        before = session_->file()->defectTypes();
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Defect Types"), QStringLiteral("Could not read the defect types."), fromStd(e.what()));
        return;
    }
    DefectTypesDialog dialog(*session_->file(), this);
    bool changed = false;
    connect(&dialog, &DefectTypesDialog::typesChanged, this, [&changed] { changed = true; });
    dialog.exec();
    if (changed)
        defectTypesEdited(before);
}

void MainWindow::preferencesDialog()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, QStringLiteral("Reviewer Name"),
                                               QStringLiteral("Verdicts and mask edits are recorded under this name:"),
                                               QLineEdit::Normal, ReviewPage::reviewerName(), &ok)
                             .trimmed();
    if (ok && !name.isEmpty())
        ReviewPage::setReviewerName(name);
}

void MainWindow::inspectImageDialog()
{
    if (!selectedModelId()) {
        showMessage(true, QStringLiteral("Inspect Image"), QStringLiteral("Select a trained model first."));
        return;
    }
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Inspect Image"), QString(),
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
    runJob(QStringLiteral("Training"), jobs::train(session_->path(), settings, name, moveToTraining));
}

void MainWindow::scoreTestImages()
{
    const qint64 modelId = selectedModelId();
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

void MainWindow::exportResults(const ds::ResultsExportOptions& options)
{
    if (review_->runId())
        runJob(QStringLiteral("Exporting results"),
               jobs::exportResults(session_->path(), review_->runId(), review_->currentThreshold(), options));
}

void MainWindow::exportReport(const QString& path)
{
    if (!review_->runId() || !review_->runModelId())
        return;
    review_->saveThresholdNow(); // the report judges at the threshold shown
    runJob(QStringLiteral("Writing report"),
           jobs::writeReport(session_->path(), review_->runModelId(), review_->currentThreshold(), path));
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
    refreshModels();
    if (outcome.selectModelId)
        selectModel(outcome.selectModelId);
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
