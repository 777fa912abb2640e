#include "ui/MainWindow.h"

#include "core/Error.h"
#include "core/backbones/TorchRuntime.h"
#include "core/data/Dataset.h"
#include "core/data/ImageIO.h"
#include "core/jobs/JobContext.h"
#include "core/jobs/ProjectJobs.h"
#include "core/jobs/RunMetrics.h"
#include "core/metrics/Metrics.h"
#include "core/review/GroundTruth.h"
#include "core/review/ReviewQueue.h"
#include "report/Report.h"
#include "ui/CompareDialog.h"
#include "ui/ExportResultsDialog.h"
#include "ui/ImageConversion.h"
#include "ui/ImagePane.h"
#include "ui/InspectPanel.h"
#include "ui/ReviewPanel.h"
#include "ui/TrainDialog.h"
#include "ui/Wording.h"
#include "ui/models/ResultsFilterProxy.h"
#include "ui/models/ResultsModel.h"
#include "ui/models/ThumbnailLoader.h"
#include "ui/plots/CurvePlot.h"
#include "ui/plots/ThresholdPlots.h"
#include "ui/review/DefectTypesDialog.h"
#include "ui/review/MaskEditor.h"
#include "ui/widgets/ImageView.h"

#include <QAction>
#include <QCheckBox>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QThreadPool>
#include <QTimer>
#include <QUndoStack>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <opencv2/core/version.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace ds::ui {

namespace {

constexpr int kSliderSteps = 1000;
constexpr int kModelIdRole = Qt::UserRole;
constexpr int kModelThresholdRole = Qt::UserRole + 1;
constexpr int kThumbnailSide = 40;
constexpr int kMaxRecentProjects = 8;
const QString kRecentProjectsKey = QStringLiteral("recentProjects");

QString fromStd(const std::string& text)
{
    return QString::fromStdString(text);
}

QStringList skippedList(const std::vector<SkippedFile>& skipped)
{
    QStringList lines;
    for (const SkippedFile& file : skipped)
        lines << fromStd(file.path) + QStringLiteral(": ") + fromStd(file.reason);
    return lines;
}

// "2026-11-22T14:02:31.123Z" -> "2026-11-22 14:02" (or with seconds): the project's UTC
// timestamps as people read them.
QString readableUtc(const std::string& iso, bool seconds = false)
{
    QString text = QString::fromStdString(iso).left(seconds ? 19 : 16);
    text.replace(QLatin1Char('T'), QLatin1Char(' '));
    return text;
}

QString importMessage(const ds::ImportReport& report, const QString& what)
{
    return QStringLiteral("Imported %1 (%2 already in the project).")
        .arg(countOf(report.added, what, what + QLatin1Char('s')))
        .arg(report.duplicates);
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

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    setAcceptDrops(true);
    jobs_ = new JobRunner(this);
    createWidgets();
    createActions();
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
    metricsFuture_.waitForFinished();
    saveThresholdNow();
    saveViewState();
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
    recentMenu_ = file->addMenu(QStringLiteral("Open &Recent"));
    recentMenu_->setObjectName(QStringLiteral("recentMenu"));
    connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::updateRecentMenu);
    saveAsAction_ = file->addAction(QStringLiteral("Save Project &As…"), this, &MainWindow::saveProjectAsDialog);
    saveAsAction_->setObjectName(QStringLiteral("saveAsAction"));
    saveAsAction_->setShortcut(QKeySequence::SaveAs);
    saveAsAction_->setStatusTip(QStringLiteral("Write a copy of the project and continue working in the copy"));
    file->addSeparator();
    importDatasetAction_ = file->addAction(QStringLiteral("Import &MVTec Dataset…"), this, &MainWindow::importDatasetDialog);
    importDatasetAction_->setObjectName(QStringLiteral("importDatasetAction"));
    importDatasetAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    importDatasetAction_->setStatusTip(QStringLiteral("Import train/good and test/* of a dataset in the MVTec AD layout"));
    importImagesAction_ = file->addAction(QStringLiteral("Import &Good Images…"), this, &MainWindow::importGoodImagesDialog);
    importImagesAction_->setObjectName(QStringLiteral("importImagesAction"));
    importImagesAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    importImagesAction_->setStatusTip(QStringLiteral("Import defect-free image files for training (or drop them on the window)"));
    importFolderAction_
        = file->addAction(QStringLiteral("Import Good Image &Folder…"), this, &MainWindow::importGoodFolderDialog);
    importFolderAction_->setObjectName(QStringLiteral("importFolderAction"));
    importFolderAction_->setStatusTip(QStringLiteral("Import every image of a folder of defect-free parts for training"));
    file->addSeparator();
    exportResultsAction_ = file->addAction(QStringLiteral("&Export Results…"), this, &MainWindow::exportResultsDialog);
    exportResultsAction_->setObjectName(QStringLiteral("exportResultsAction"));
    exportResultsAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportResultsAction_->setStatusTip(
        QStringLiteral("A CSV row per image (score, model and human verdicts, defect types) and optional PNGs"));
    exportReportAction_ = file->addAction(QStringLiteral("Export &Report…"), this, &MainWindow::exportReportDialog);
    exportReportAction_->setObjectName(QStringLiteral("exportReportAction"));
    exportReportAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    exportReportAction_->setStatusTip(
        QStringLiteral("A PDF or HTML report for stakeholders: metrics, plots, flagged images, reviews, comparison"));
    file->addSeparator();
    inspectAction_ = file->addAction(QStringLiteral("&Inspect Image…"), this, &MainWindow::inspectImageDialog);
    inspectAction_->setObjectName(QStringLiteral("inspectAction"));
    inspectAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    inspectAction_->setStatusTip(QStringLiteral("Score one image with the selected model without adding it to the project"));
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
    compareAction_ = model->addAction(QStringLiteral("&Compare Models…"), this, &MainWindow::compareModels);
    compareAction_->setObjectName(QStringLiteral("compareAction"));
    compareAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    compareAction_->setStatusTip(QStringLiteral("Metrics, ROC curves and heatmaps of several models side by side"));
    retrainAction_
        = model->addAction(QStringLiteral("Retrain with &Reviewed Good Images…"), this, &MainWindow::retrainWithReviewsDialog);
    retrainAction_->setObjectName(QStringLiteral("retrainAction"));
    retrainAction_->setStatusTip(
        QStringLiteral("Move test images reviewed as Good into the training set and retrain the selected model's settings"));
    deleteModelAction_ = model->addAction(QStringLiteral("&Delete Model…"), this, &MainWindow::deleteModelDialog);
    deleteModelAction_->setObjectName(QStringLiteral("deleteModelAction"));
    deleteModelAction_->setStatusTip(QStringLiteral("Remove the selected model with its runs and results"));
    modelsView_->addAction(deleteModelAction_);
    modelsView_->setContextMenuPolicy(Qt::ActionsContextMenu);
    // Del in the model list only, where the user's attention is on a model.
    auto* deleteKey = new QAction(modelsView_);
    deleteKey->setShortcut(QKeySequence::Delete);
    deleteKey->setShortcutContext(Qt::WidgetShortcut);
    connect(deleteKey, &QAction::triggered, this, &MainWindow::deleteModelDialog);
    modelsView_->addAction(deleteKey);
    model->addSeparator();
    cancelAction_ = model->addAction(QStringLiteral("Cancel &Job"), this, &MainWindow::cancelJob);
    cancelAction_->setObjectName(QStringLiteral("cancelJobAction"));
    cancelAction_->setShortcut(QKeySequence(Qt::Key_Escape));

    QMenu* view = menuBar()->addMenu(QStringLiteral("&View"));
    QAction* next = view->addAction(QStringLiteral("&Next Image"), this, &MainWindow::nextImage);
    next->setObjectName(QStringLiteral("nextImageAction"));
    next->setShortcuts({QKeySequence(Qt::Key_N), QKeySequence(Qt::Key_PageDown)});
    QAction* previous = view->addAction(QStringLiteral("&Previous Image"), this, &MainWindow::previousImage);
    previous->setObjectName(QStringLiteral("previousImageAction"));
    previous->setShortcuts({QKeySequence(Qt::Key_P), QKeySequence(Qt::Key_PageUp)});
    // Letters and arrows must not fire while the user works elsewhere (combo boxes, sliders,
    // the Inspect tab): only in the results table and the image.
    for (QAction* step : {next, previous}) {
        step->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        resultsView_->addAction(step);
        imagePane_->view()->addAction(step);
    }
    view->addSeparator();
    // The image actions act on the pane of the tab in front.
    const auto pane = [this] { return tabs_->currentWidget() == inspectPanel_ ? inspectPanel_->pane() : imagePane_; };
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

    QMenu* review = menuBar()->addMenu(QStringLiteral("&Review"));
    const auto verdictAction = [this, review](const QString& text, Qt::Key key, ds::Verdict verdict, const char* name) {
        QAction* action = review->addAction(text, this, [this, verdict] { giveVerdict(verdict); });
        action->setObjectName(QString::fromLatin1(name));
        action->setShortcut(QKeySequence(key));
        // Only in the results table and the image: the letters stay free elsewhere.
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        resultsView_->addAction(action);
        imagePane_->view()->addAction(action);
        verdictActions_ << action;
    };
    verdictAction(QStringLiteral("Mark &Defect"), Qt::Key_D, ds::Verdict::Defect, "defectAction");
    verdictAction(QStringLiteral("Mark &Good"), Qt::Key_G, ds::Verdict::Good, "goodAction");
    verdictAction(QStringLiteral("Mark &Unsure"), Qt::Key_U, ds::Verdict::Unsure, "unsureAction");
    review->addSeparator();
    QAction* toggleOverlay = review->addAction(QStringLiteral("Toggle &Overlay"), this, [this] {
        // Back and forth between no heatmap and the opacity the user had.
        QSlider* opacity = imagePane_->opacitySlider();
        if (opacity->value() > 0) {
            opacity->setProperty("restoreValue", opacity->value());
            opacity->setValue(0);
        } else {
            opacity->setValue(opacity->property("restoreValue").isValid() ? opacity->property("restoreValue").toInt() : 45);
        }
    });
    toggleOverlay->setShortcut(QKeySequence(Qt::Key_O));
    toggleOverlay->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    resultsView_->addAction(toggleOverlay);
    imagePane_->view()->addAction(toggleOverlay);
    for (auto [key, step] :
         {std::pair {Qt::Key_Right, &MainWindow::nextImage}, std::pair {Qt::Key_Left, &MainWindow::previousImage}}) {
        auto* arrow = new QAction(this);
        arrow->setShortcut(QKeySequence(key));
        arrow->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(arrow, &QAction::triggered, this, step);
        imagePane_->view()->addAction(arrow);
        resultsView_->addAction(arrow);
    }
    review->addSeparator();
    editMaskAction_ = review->addAction(QStringLiteral("Edit &Mask"));
    editMaskAction_->setObjectName(QStringLiteral("editMaskAction"));
    editMaskAction_->setCheckable(true);
    editMaskAction_->setShortcut(QKeySequence(Qt::Key_M));
    editMaskAction_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    editMaskAction_->setStatusTip(
        QStringLiteral("Paint the true defect region: brush, eraser, polygon, fill, accept the predicted region"));
    connect(editMaskAction_, &QAction::toggled, imagePane_, &ImagePane::setMaskEditingEnabled);
    resultsView_->addAction(editMaskAction_);
    imagePane_->view()->addAction(editMaskAction_);
    defectTypesAction_ = review->addAction(QStringLiteral("Defect &Types…"), this, &MainWindow::defectTypesDialog);
    defectTypesAction_->setObjectName(QStringLiteral("defectTypesAction"));
    review->addAction(QStringLiteral("&Reviewer Name…"), this, &MainWindow::preferencesDialog);

    QMenu* help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(QStringLiteral("&About DefectScope"), this, &MainWindow::about);
}

void MainWindow::createWidgets()
{
    // Left: models on top, the selected model's latest run below.
    modelsView_ = new QTreeWidget;
    modelsView_->setObjectName(QStringLiteral("modelsView"));
    modelsView_->setRootIsDecorated(false);
    modelsView_->setHeaderLabels({QStringLiteral("Model"), QStringLiteral("Method"), QStringLiteral("Image AUROC"),
                                  QStringLiteral("Training"), QStringLiteral("Threshold")});
    modelsView_->headerItem()->setToolTip(2,
                                          QStringLiteral("Of the latest run, when its images have both good and defect labels"));
    modelsView_->setAlternatingRowColors(true);
    modelsView_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    modelsView_->header()->setStretchLastSection(false);
    connect(modelsView_, &QTreeWidget::itemSelectionChanged, this, &MainWindow::modelSelectionChanged);

    auto* left = new QSplitter(Qt::Vertical);
    left->addWidget(modelsView_);
    left->addWidget(createResultsPane());
    left->setStretchFactor(0, 1);
    left->setStretchFactor(1, 4);
    left->setSizes({140, 600});

    inspectPanel_ = new InspectPanel;
    inspectPanel_->setObjectName(QStringLiteral("inspectPanel"));
    connect(inspectPanel_, &InspectPanel::addedToProject, this, [this] {
        statusBar()->showMessage(QStringLiteral("Added to the test images: Score Test Images (Ctrl+R) includes it."), 10000);
    });
    tabs_ = new QTabWidget;
    tabs_->setObjectName(QStringLiteral("centralTabs"));
    tabs_->addTab(createReviewTab(), QStringLiteral("Review"));
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

    log_ = new QPlainTextEdit;
    log_->setObjectName(QStringLiteral("jobLog"));
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    historyView_ = new QTreeWidget;
    historyView_->setObjectName(QStringLiteral("historyView"));
    historyView_->setRootIsDecorated(false);
    historyView_->setHeaderLabels({QStringLiteral("When (UTC)"), QStringLiteral("Who"), QStringLiteral("What"),
                                   QStringLiteral("Model shown"), QStringLiteral("Threshold")});
    historyView_->setAlternatingRowColors(true);
    historyDock_ = new QDockWidget(QStringLiteral("History"), this);
    historyDock_->setObjectName(QStringLiteral("historyDock"));
    historyDock_->setWidget(historyView_);
    addDockWidget(Qt::BottomDockWidgetArea, historyDock_);
    resizeDocks({historyDock_}, {140}, Qt::Vertical);
    historyDock_->hide();

    curves_ = new CurvePlot;
    curves_->setObjectName(QStringLiteral("jobCurves"));
    curves_->hide();
    auto* logArea = new QSplitter(Qt::Horizontal);
    logArea->addWidget(log_);
    logArea->addWidget(curves_);
    logArea->setStretchFactor(0, 1);
    logArea->setStretchFactor(1, 1);
    logDock_ = new QDockWidget(QStringLiteral("Job Log"), this);
    logDock_->setObjectName(QStringLiteral("jobLogDock"));
    logDock_->setWidget(logArea);
    addDockWidget(Qt::BottomDockWidgetArea, logDock_);
    logDock_->hide();

    createJobPanel();
}

QWidget* MainWindow::createResultsPane()
{
    resultsModel_ = new ResultsModel(this);
    resultsProxy_ = new ResultsFilterProxy(this);
    resultsProxy_->setSourceModel(resultsModel_);
    resultsView_ = new QTableView;
    resultsView_->setObjectName(QStringLiteral("resultsView"));
    resultsView_->setModel(resultsProxy_);
    resultsView_->setSortingEnabled(true);
    resultsView_->sortByColumn(ResultsModel::ScoreColumn, Qt::DescendingOrder);
    resultsView_->setSelectionBehavior(QAbstractItemView::SelectRows);
    resultsView_->setSelectionMode(QAbstractItemView::SingleSelection);
    resultsView_->setAlternatingRowColors(true);
    resultsView_->setIconSize(QSize(kThumbnailSide, kThumbnailSide));
    resultsView_->verticalHeader()->hide();
    resultsView_->verticalHeader()->setDefaultSectionSize(kThumbnailSide + 4);
    resultsView_->horizontalHeader()->setSectionResizeMode(ResultsModel::ImageColumn, QHeaderView::Stretch);
    // Fixed widths for the short columns (measuring every row would cost on large runs);
    // long file names lose their middle, not their number.
    const QFontMetrics metrics = resultsView_->fontMetrics();
    resultsView_->setColumnWidth(ResultsModel::LabelColumn, metrics.horizontalAdvance(QStringLiteral("contamination")) + 12);
    resultsView_->setColumnWidth(ResultsModel::ReviewColumn, metrics.horizontalAdvance(QStringLiteral("Review")) + 24);
    resultsView_->setColumnWidth(ResultsModel::ScoreColumn, metrics.horizontalAdvance(QStringLiteral("0000.0000")) + 16);
    resultsView_->setColumnWidth(ResultsModel::VerdictColumn, metrics.horizontalAdvance(QStringLiteral("Verdict")) + 24);
    resultsView_->setWordWrap(false);
    resultsView_->setTextElideMode(Qt::ElideMiddle);
    resultsView_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(resultsView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::resultSelectionChanged);

    thumbnails_ = new ThumbnailLoader(kThumbnailSide, this);
    connect(thumbnails_, &ThumbnailLoader::thumbnailReady, resultsModel_, &ResultsModel::setThumbnail);
    thumbnailBatch_ = new QTimer(this);
    thumbnailBatch_->setSingleShot(true);
    thumbnailBatch_->setInterval(300);
    connect(thumbnailBatch_, &QTimer::timeout, this, &MainWindow::requestThumbnails);

    showFilter_ = new QComboBox;
    showFilter_->setObjectName(QStringLiteral("showFilter"));
    showFilter_->addItem(QStringLiteral("All images"), int(ResultsFilterProxy::Show::All));
    showFilter_->addItem(QStringLiteral("Flagged as defect"), int(ResultsFilterProxy::Show::Flagged));
    showFilter_->addItem(QStringLiteral("Misclassified"), int(ResultsFilterProxy::Show::Misclassified));
    showFilter_->addItem(QStringLiteral("Not yet reviewed"), int(ResultsFilterProxy::Show::Unreviewed));
    showFilter_->setToolTip(QStringLiteral("Misclassified: the model's verdict at the current threshold disagrees with "
                                           "the truth (a reviewer's verdict, else the dataset's label)"));
    connect(showFilter_, &QComboBox::currentIndexChanged, this,
            [this] { resultsProxy_->setShow(ResultsFilterProxy::Show(showFilter_->currentData().toInt())); });
    labelFilter_ = new QComboBox;
    labelFilter_->setObjectName(QStringLiteral("labelFilter"));
    labelFilter_->setToolTip(QStringLiteral("Only images with this label (defect type)"));
    labelFilter_->addItem(QStringLiteral("All labels"), QString());
    connect(labelFilter_, &QComboBox::currentIndexChanged, this,
            [this] { resultsProxy_->setLabel(labelFilter_->currentData().toString()); });

    runLabel_ = new QLabel(QStringLiteral("No results"));
    auto* filters = new QHBoxLayout;
    filters->setContentsMargins(0, 0, 0, 0);
    filters->addWidget(runLabel_, 1);
    filters->addWidget(showFilter_);
    filters->addWidget(labelFilter_);

    auto* pane = new QWidget;
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filters);
    layout->addWidget(resultsView_);
    return pane;
}

QWidget* MainWindow::createReviewTab()
{
    imagePane_ = new ImagePane(QStringLiteral("reviewView"));
    imagePane_->setObjectName(QStringLiteral("imagePane"));
    imagePane_->setPlaceholder(QStringLiteral("Open a project, train a model and score the test images to see results here."));

    thresholdSlider_ = new QSlider(Qt::Horizontal);
    thresholdSlider_->setObjectName(QStringLiteral("thresholdSlider"));
    thresholdSlider_->setRange(0, kSliderSteps);
    thresholdSlider_->setEnabled(false);
    thresholdSlider_->setToolTip(QStringLiteral("Images scoring at or above the threshold are judged defective"));
    thresholdValue_ = new QLabel;
    thresholdValue_->setMinimumWidth(
        thresholdValue_->fontMetrics().horizontalAdvance(QStringLiteral("00000.0000 (000 defects)")));
    connect(thresholdSlider_, &QSlider::valueChanged, this, &MainWindow::thresholdSliderMoved);
    resetThreshold_ = new QPushButton(QStringLiteral("Reset"));
    resetThreshold_->setObjectName(QStringLiteral("resetThresholdButton"));
    resetThreshold_->setToolTip(QStringLiteral("Back to the threshold the model chose"));
    resetThreshold_->setEnabled(false);
    connect(resetThreshold_, &QPushButton::clicked, this, &MainWindow::resetThreshold);

    auto* thresholdRow = new QHBoxLayout;
    thresholdRow->addWidget(new QLabel(QStringLiteral("Threshold:")));
    thresholdRow->addWidget(thresholdSlider_, 1);
    thresholdRow->addWidget(thresholdValue_);
    thresholdRow->addWidget(resetThreshold_);

    thresholdPlots_ = new ThresholdPlots;
    thresholdPlots_->setObjectName(QStringLiteral("thresholdPlots"));
    connect(thresholdPlots_, &ThresholdPlots::thresholdChanged, this, &MainWindow::plotThresholdChanged);
    thresholdSaveTimer_ = new QTimer(this);
    thresholdSaveTimer_->setSingleShot(true);
    thresholdSaveTimer_->setInterval(400);
    connect(thresholdSaveTimer_, &QTimer::timeout, this, &MainWindow::saveThresholdNow);

    reviewPanel_ = new ReviewPanel;
    reviewPanel_->setObjectName(QStringLiteral("reviewPanel"));
    connect(reviewPanel_, &ReviewPanel::verdictGiven, this, &MainWindow::giveVerdict);
    connect(imagePane_, &ImagePane::maskEdited, this, &MainWindow::saveMaskEdit);
    connect(reviewPanel_, &ReviewPanel::orderChanged, this, [this](ReviewPanel::Order) { applyReviewOrder(); });
    // Once a filter or order is chosen, the keys go back to reviewing: a letter typed into a
    // focused combo box would pick an entry (N: "Not yet reviewed", G: the label "good")
    // instead of stepping or judging.
    for (QComboBox* choice : {showFilter_, labelFilter_, reviewPanel_->orderBox()})
        connect(choice, &QComboBox::activated, this, [this] { resultsView_->setFocus(Qt::OtherFocusReason); });
    // The review queue follows the rows, also those arriving live while scoring.
    const auto keepQueueOrder = [this] {
        if (reviewPanel_->order() == ReviewPanel::Order::NearestThreshold)
            applyReviewOrder();
    };
    connect(resultsModel_, &QAbstractItemModel::modelReset, this, keepQueueOrder);
    connect(resultsModel_, &QAbstractItemModel::rowsInserted, this, keepQueueOrder);

    metricsLabel_ = new QLabel;
    metricsLabel_->setObjectName(QStringLiteral("metricsLabel"));
    metricsLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    metricsLabel_->setToolTip(QStringLiteral("Measured on the images whose truth is known: a reviewer's verdict, "
                                             "else the dataset's label; recomputed as you review"));
    metricsTimer_ = new QTimer(this);
    metricsTimer_->setSingleShot(true);
    metricsTimer_->setInterval(400);
    connect(metricsTimer_, &QTimer::timeout, this, &MainWindow::computeMetrics);

    auto* imageArea = new QWidget;
    auto* imageLayout = new QVBoxLayout(imageArea);
    imageLayout->setContentsMargins(4, 4, 4, 0);
    imageLayout->addWidget(imagePane_, 1);
    imageLayout->addWidget(reviewPanel_);
    imageLayout->addLayout(thresholdRow);
    imageLayout->addWidget(metricsLabel_);

    auto* review = new QSplitter(Qt::Vertical);
    review->addWidget(imageArea);
    review->addWidget(thresholdPlots_);
    review->setStretchFactor(0, 3);
    review->setStretchFactor(1, 1);
    review->setSizes({500, 230});
    return review;
}

void MainWindow::createJobPanel()
{
    // Shown in the status bar only while a job runs.
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
    jobCancel_->setToolTip(QStringLiteral("Stop the job (Esc); the project stays as it was before it"));
    connect(jobCancel_, &QPushButton::clicked, this, &MainWindow::cancelJob);
    jobLayout->addWidget(jobStage_);
    jobLayout->addWidget(jobProgress_);
    jobLayout->addWidget(jobCancel_);
    statusBar()->addPermanentWidget(jobPanel_);
    jobPanel_->hide();

    connect(jobs_, &JobRunner::progress, this, &MainWindow::showJobProgress);
    connect(jobs_, &JobRunner::logLine, this, &MainWindow::appendLog);
    connect(jobs_, &JobRunner::curvePoint, this, [this](const QString& curve, double x, double y) {
        if (curves_->isHidden()) { // a method that learns: show how it goes
            curves_->show();
            logDock_->show();
        }
        curves_->addPoint(curve, x, y);
    });
    connect(jobs_, &JobRunner::finished, this, &MainWindow::finishJob);
}

void MainWindow::updateActions()
{
    const bool hasProject = project_ != nullptr;
    const bool idle = !jobs_->isRunning();
    modelsView_->setEnabled(!scoringModelId_);
    modelsView_->setToolTip(scoringModelId_ ? QStringLiteral("Available again when scoring ends") : QString());
    cancelAction_->setEnabled(jobs_->isRunning());
    updateVerdictActions();
    inspectPanel_->setImportAllowed(idle);
    newAction_->setEnabled(idle);
    openAction_->setEnabled(idle);
    recentMenu_->setEnabled(idle);
    saveAsAction_->setEnabled(hasProject && idle);
    importDatasetAction_->setEnabled(hasProject && idle);
    importImagesAction_->setEnabled(hasProject && idle);
    importFolderAction_->setEnabled(hasProject && idle);
    trainAction_->setEnabled(hasProject && idle);
    scoreAction_->setEnabled(hasProject && idle && selectedModelId() != 0);
    inspectAction_->setEnabled(hasProject && selectedModelId() != 0);
    compareAction_->setEnabled(hasProject && modelsView_->topLevelItemCount() >= 2);
    deleteModelAction_->setEnabled(hasProject && idle && selectedModelId() != 0);
    retrainAction_->setEnabled(hasProject && idle && selectedModelId() != 0);
    exportResultsAction_->setEnabled(hasProject && idle && runId_ != 0);
    exportReportAction_->setEnabled(hasProject && idle && runId_ != 0);
    defectTypesAction_->setEnabled(hasProject && idle);
}

void MainWindow::updateVerdictActions()
{
    for (QAction* verdict : verdictActions_)
        verdict->setEnabled(imageId_ && runId_);
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
    // A reason of a few lines is shown at once (it is what the user needs to act on); only
    // long lists, such as skipped files, wait behind Show Details.
    if (details.count(QLatin1Char('\n')) < 3 && details.size() < 400)
        box->setInformativeText(details);
    else
        box->setDetailedText(details);
    box->setModal(false);
    box->show();
    statusBar()->showMessage(text, 10000);
}

// ---- Project ---------------------------------------------------------------------------

bool MainWindow::openProject(const QString& path)
{
    if (jobs_->isRunning())
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
    rememberRecent(projectPath_);
    updateTitle();
    try {
        imagePane_->setDefectTypes(project_->defectTypes());
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Open Project"), QStringLiteral("Could not read the defect types."), fromStd(e.what()));
    }
    refreshModels();
    // Back to where the user was: the model and image last shown, else the newest model.
    qint64 lastModel = 0, lastImage = 0;
    try {
        if (const auto stored = project_->setting("view/lastModelId"))
            lastModel = fromStd(*stored).toLongLong();
        if (const auto stored = project_->setting("view/lastImageId"))
            lastImage = fromStd(*stored).toLongLong();
    } catch (const std::exception&) {
        // View state is a convenience: a project without it opens as new.
    }
    if (lastModel)
        selectModel(lastModel);
    if (!selectedModelId() && modelsView_->topLevelItemCount() > 0)
        modelsView_->setCurrentItem(modelsView_->topLevelItem(modelsView_->topLevelItemCount() - 1));
    if (lastImage)
        selectImage(lastImage);
    updateActions();
    statusBar()->showMessage(QStringLiteral("Opened %1").arg(QDir::toNativeSeparators(projectPath_)), 5000);
    Q_EMIT projectChanged(projectPath_);
    offerInterruptedRuns();
    return true;
}

// A run a crash or kill left unfinished holds results nobody sees (only finished runs are
// shown): ask whether to finish it or to remove it. Non-modal, like every message here.
void MainWindow::offerInterruptedRuns()
{
    std::vector<ds::RunRecord> interrupted;
    int scored = 0, total = 0;
    QString modelName;
    try {
        interrupted = project_->interruptedRuns();
        if (interrupted.empty())
            return;
        scored = project_->resultCount(interrupted.front().id);
        total = int(project_->images(ds::Split::Test).size());
        for (const ds::ModelRecord& model : project_->models())
            if (model.id == interrupted.front().modelId)
                modelName = fromStd(model.name);
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Open Project"), QStringLiteral("Could not read the project's runs."),
                    fromStd(e.what()));
        return;
    }
    const ds::RunRecord run = interrupted.front();
    auto* box
        = new QMessageBox(QMessageBox::Question, QStringLiteral("Interrupted Scoring"),
                          QStringLiteral("Scoring with model \u201c%1\u201d stopped before it finished (run %2: %3 of %4 test "
                                         "images scored), because the program was closed by force or crashed.")
                              .arg(modelName)
                              .arg(run.id)
                              .arg(scored)
                              .arg(total),
                          QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("interruptedRunBox"));
    box->setInformativeText(QStringLiteral("Resume scores the images it lacks; Discard removes the run and its results."));
    QPushButton* resume = box->addButton(QStringLiteral("&Resume"), QMessageBox::AcceptRole);
    resume->setObjectName(QStringLiteral("resumeRunButton"));
    box->addButton(QStringLiteral("&Discard"), QMessageBox::DestructiveRole)->setObjectName(QStringLiteral("discardRunButton"));
    box->addButton(QStringLiteral("&Later"), QMessageBox::RejectRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    const qint64 runId = run.id;
    connect(box, &QMessageBox::buttonClicked, this, [this, box, runId](QAbstractButton* button) {
        const QMessageBox::ButtonRole role = box->buttonRole(button);
        if (role == QMessageBox::AcceptRole) {
            resumeScoring(runId);
        } else if (role == QMessageBox::DestructiveRole && project_) {
            try {
                project_->discardRun(runId);
                statusBar()->showMessage(QStringLiteral("Run %1 discarded.").arg(runId), 5000);
            } catch (const std::exception& e) {
                showMessage(true, QStringLiteral("Discard Run"), QStringLiteral("Could not discard the run."), fromStd(e.what()));
            }
        }
    });
    box->show();
}

void MainWindow::resumeScoring(qint64 runId)
{
    if (jobs_->isRunning() || !project_)
        return;
    std::optional<ds::RunRecord> run;
    try {
        run = project_->run(runId);
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
    saveThresholdNow();
    saveViewState();
    thumbnails_->cancel();
    resultsModel_->clearThumbnails();
    imagePane_->maskEditor()->forgetHistory(); // image ids mean other images in another project
    if (compareDialog_) // it shows this project's data
        compareDialog_->close();
    modelsView_->clear();
    loadLatestRun(0);
    inspectPanel_->clearModel();
    project_.reset();
    projectPath_.clear();
    updateTitle();
    updateActions();
}

bool MainWindow::saveProjectAs(const QString& path)
{
    if (!project_)
        return false;
    if (jobs_->isRunning() || inspectPanel_->isAdding()) {
        showMessage(true, QStringLiteral("Save Project As"), QStringLiteral("Wait until the running job has finished."));
        return false;
    }
    const QString target = QFileInfo(path).absoluteFilePath();
    saveThresholdNow();
    saveViewState();
    try {
        project_->saveCopyAs(target.toStdString());
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Save Project As"), QStringLiteral("Could not save a copy of the project."),
                    fromStd(e.what()));
        return false;
    }
    return openProject(target);
}

void MainWindow::saveViewState()
{
    if (!project_)
        return;
    try {
        const qint64 model = selectedModelId();
        if (model)
            project_->setSetting("view/lastModelId", std::to_string(model));
        if (imageId_)
            project_->setSetting("view/lastImageId", std::to_string(imageId_));
    } catch (const std::exception& e) {
        statusBar()->showMessage(QStringLiteral("Could not save the view: ") + fromStd(e.what()), 10000);
    }
}

QStringList MainWindow::recentProjects()
{
    return QSettings().value(kRecentProjectsKey).toStringList();
}

void MainWindow::rememberRecent(const QString& path)
{
    QStringList recent = recentProjects();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecentProjects)
        recent.removeLast();
    QSettings().setValue(kRecentProjectsKey, recent);
}

void MainWindow::updateRecentMenu()
{
    recentMenu_->clear();
    const QStringList recent = recentProjects();
    for (int i = 0; i < recent.size(); ++i) {
        const QString path = recent[i];
        QAction* action = recentMenu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(path)), this,
                                                 [this, path] { openProject(path); });
        action->setEnabled(QFileInfo::exists(path));
    }
    if (recent.isEmpty())
        recentMenu_->addAction(QStringLiteral("No recent projects"))->setEnabled(false);
    recentMenu_->addSeparator();
    recentMenu_->addAction(QStringLiteral("&Clear List"), this, [] { QSettings().remove(kRecentProjectsKey); })
        ->setEnabled(!recent.isEmpty());
}

void MainWindow::refreshModels()
{
    const qint64 previous = selectedModelId();
    const QSignalBlocker blocker(modelsView_);
    modelsView_->clear();
    if (!project_)
        return;
    try {
        const std::map<std::int64_t, ds::ImageTruth> truth = ds::effectiveTruth(*project_);
        for (const ds::ModelRecord& model : project_->models()) {
            auto* item = new QTreeWidgetItem(modelsView_);
            item->setText(0, fromStd(model.name));
            item->setText(1, fromStd(model.method));
            item->setText(2, QStringLiteral("—"));
            item->setText(3, formatSeconds(model.trainSeconds));
            item->setText(4, QString::number(model.threshold, 'f', 4));
            for (int column = 2; column <= 4; ++column)
                item->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
            item->setData(0, kModelIdRole, QVariant::fromValue<qint64>(model.id));
            item->setData(0, kModelThresholdRole, model.threshold);
            item->setToolTip(0,
                             QStringLiteral("%1 on %2, %3 training images, created %4\nParameters: %5")
                                 .arg(fromStd(model.method), fromStd(model.backbone))
                                 .arg(model.nTrain)
                                 .arg(fromStd(model.createdAt), fromStd(model.paramsJson)));
            // Image AUROC of the latest finished run, on the images whose truth is known.
            if (const std::optional<ds::RunRecord> latest = project_->latestDoneRun(model.id)) {
                std::vector<float> scores;
                std::vector<int> labels;
                for (const ds::ResultRecord& result : project_->results(latest->id, ds::ProjectFile::Heatmaps::Skip)) {
                    const auto known = truth.find(result.imageId);
                    if (known == truth.end() || !known->second.defective)
                        continue;
                    scores.push_back(float(result.score));
                    labels.push_back(*known->second.defective ? 1 : 0);
                }
                const auto defects = std::count(labels.begin(), labels.end(), 1);
                if (defects > 0 && defects < std::ptrdiff_t(labels.size()))
                    item->setText(2, QString::number(ds::rocAuc(scores, labels), 'f', 3));
            }
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
            {
                const QSignalBlocker blocker(modelsView_);
                modelsView_->setCurrentItem(item);
            }
            modelSelectionChanged(); // also when it was selected already: the run may be new
            return;
        }
    }
}

void MainWindow::modelSelectionChanged()
{
    const qint64 modelId = selectedModelId();
    loadLatestRun(modelId);
    if (modelId && project_) {
        const QTreeWidgetItem* item = modelsView_->currentItem();
        inspectPanel_->setModel(projectPath_, modelId,
                                runModelId_ == modelId ? currentThreshold() : item->data(0, kModelThresholdRole).toDouble());
    } else {
        inspectPanel_->clearModel();
    }
    updateActions();
}

void MainWindow::loadLatestRun(qint64 modelId)
{
    ++metricsGeneration_; // a metrics computation still running is for the run shown before
    if (!saveThresholdNow()) // the previous model's, before runModelId_ changes
        showMessage(true, QStringLiteral("Threshold"),
                    QStringLiteral("The threshold you chose for the previous model could not be saved."));
    runId_ = 0;
    runModelId_ = 0;
    imageId_ = 0;
    reviewPanel_->clearImage(); // nothing of the image shown before stays on the review bar
    updateVerdictActions();
    images_.clear();
    reviews_.clear();
    std::vector<ResultsModel::Row> rows;
    double threshold = 0.0;
    QString runText = modelId ? QStringLiteral("Not scored yet: use Model → Score Test Images (Ctrl+R).")
                              : QStringLiteral("No model selected.");
    if (project_ && modelId) {
        try {
            readImages();
            if (const std::optional<ds::RunRecord> latest = project_->latestDoneRun(modelId)) {
                runId_ = latest->id;
                runThreshold_ = latest->threshold;
                runModelId_ = modelId;
                threshold = project_->chosenThreshold(modelId).value_or(latest->threshold);
                for (const ds::ResultRecord& result : project_->results(runId_, ds::ProjectFile::Heatmaps::Skip))
                    rows.push_back(resultRow(result.imageId, result.score));
                runText = QStringLiteral("Run %1 · %2 UTC · %3 images")
                              .arg(runId_)
                              .arg(readableUtc(latest->createdAt))
                              .arg(rows.size());
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
        const auto [low, high]
            = std::minmax_element(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.score < b.score; });
        scoreMin_ = std::min(low->score, threshold);
        scoreMax_ = std::max(high->score, threshold);
        if (scoreMax_ - scoreMin_ < 1e-9)
            scoreMax_ = scoreMin_ + 1.0;
    }
    runLabel_->setText(runText);
    resultsModel_->setRows(std::move(rows), threshold);
    updateThresholdPlots();
    updateLabelFilter();
    requestThumbnails();
    updateReviewProgress();
    metricsLabel_->clear();
    scheduleMetrics();
    thresholdSlider_->setEnabled(runId_ != 0);
    resetThreshold_->setEnabled(runId_ != 0);
    thresholdPlots_->setEnabled(runId_ != 0);
    applyThreshold(threshold, true); // exactly this value, not the slider's rounding
    thresholdDirty_ = false;
    if (resultsProxy_->rowCount() > 0) {
        resultsView_->selectRow(0);
        resultsView_->setCurrentIndex(resultsProxy_->index(0, 0));
    } else {
        imagePane_->setPlaceholder(modelId ? runText : QStringLiteral("Select a model to see its results."));
    }
}

void MainWindow::readImages()
{
    images_.clear();
    reviews_ = project_->latestReviews();
    const std::map<std::int64_t, ds::ImageTruth> truth = ds::effectiveTruth(*project_);
    for (const ds::ImageRecord& image : project_->images()) {
        const QFileInfo file(fromStd(image.path));
        ImageInfo info {file.dir().dirName() + QLatin1Char('/') + file.fileName(), file.filePath(), fromStd(image.label), {}, {}};
        if (const auto review = reviews_.find(image.id); review != reviews_.end())
            info.review = QString::fromLatin1(ds::verdictName(review->second.verdict));
        if (const auto known = truth.find(image.id); known != truth.end())
            info.truth = known->second.defective;
        images_.insert(image.id, std::move(info));
    }
}

ResultsModel::Row MainWindow::resultRow(qint64 imageId, double score) const
{
    const ImageInfo image = images_.value(imageId);
    return {imageId, image.fileName, image.label, score, image.review, image.truth};
}

void MainWindow::updateThresholdPlots()
{
    std::vector<float> scores;
    std::vector<int> labels;
    int known = 0, fromReviewers = 0;
    for (const ResultsModel::Row& row : resultsModel_->rows()) {
        scores.push_back(float(row.score));
        labels.push_back(row.truth ? int(*row.truth) : -1);
        known += row.truth.has_value();
        // A Good or Defect verdict decides the truth; Unsure leaves the dataset's label.
        fromReviewers
            += row.truth.has_value() && (row.review == QStringLiteral("defect") || row.review == QStringLiteral("good"));
    }
    thresholdPlots_->setScores(std::move(scores), std::move(labels));
    const int unknown = int(resultsModel_->rows().size()) - known;
    thresholdPlots_->setLabelNote(QStringLiteral("On %1 labels, %2 from reviewers%3")
                                      .arg(known)
                                      .arg(fromReviewers)
                                      .arg(unknown ? QStringLiteral("; %1 unlabelled").arg(unknown) : QString()));
}

void MainWindow::updateLabelFilter()
{
    const QString current = labelFilter_->currentData().toString();
    std::set<QString> labels;
    for (const ResultsModel::Row& row : resultsModel_->rows())
        if (!row.label.isEmpty())
            labels.insert(row.label);
    const QSignalBlocker blocker(labelFilter_);
    labelFilter_->clear();
    labelFilter_->addItem(QStringLiteral("All labels"), QString());
    for (const QString& label : labels)
        labelFilter_->addItem(label, label);
    const int index = labelFilter_->findData(current);
    labelFilter_->setCurrentIndex(std::max(0, index));
    resultsProxy_->setLabel(labelFilter_->currentData().toString());
}

void MainWindow::requestThumbnails()
{
    QList<ThumbnailLoader::Request> requests;
    for (const ResultsModel::Row& row : resultsModel_->rows())
        if (!resultsModel_->hasThumbnail(row.imageId))
            requests.append({row.imageId, images_.value(row.imageId).path});
    thumbnails_->load(std::move(requests));
}

double MainWindow::sliderToThreshold(int value) const
{
    return scoreMin_ + (scoreMax_ - scoreMin_) * double(value) / kSliderSteps;
}

int MainWindow::thresholdToSlider(double threshold) const
{
    return std::clamp(int(std::lround((threshold - scoreMin_) / (scoreMax_ - scoreMin_) * kSliderSteps)), 0, kSliderSteps);
}

double MainWindow::currentThreshold() const
{
    return resultsModel_->threshold();
}

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
    thresholdValue_->setText(
        runId_ ? QStringLiteral("%1 (%2 defects)").arg(threshold, 0, 'f', 4).arg(resultsModel_->defectCount()) : QString());
    imagePane_->setThreshold(threshold);
    if (imageId_) {
        imagePane_->setCaption(imageCaption());
        showReviewState();
    }
    if (reviewPanel_->order() == ReviewPanel::Order::NearestThreshold)
        applyReviewOrder();
    if (runModelId_ && runModelId_ == selectedModelId())
        inspectPanel_->setThreshold(threshold);
}

void MainWindow::scheduleThresholdSave()
{
    thresholdDirty_ = true;
    thresholdSaveTimer_->start();
}

bool MainWindow::saveThresholdNow()
{
    thresholdSaveTimer_->stop();
    if (!thresholdDirty_ || !project_ || !runModelId_)
        return true;
    try {
        project_->setChosenThreshold(runModelId_, currentThreshold());
        thresholdDirty_ = false;
        return true;
    } catch (const std::exception& e) {
        // E.g. another writer held the file too long: try again shortly.
        statusBar()->showMessage(QStringLiteral("Could not save the threshold yet: ") + fromStd(e.what()), 10000);
        thresholdSaveTimer_->start();
        return false;
    }
}

void MainWindow::selectImage(qint64 imageId)
{
    for (int row = 0; row < resultsProxy_->rowCount(); ++row) {
        const QModelIndex index = resultsProxy_->index(row, 0);
        if (index.data(ResultsModel::ImageIdRole).toLongLong() == imageId) {
            resultsView_->setCurrentIndex(index);
            resultsView_->scrollTo(index);
            return;
        }
    }
}

void MainWindow::nextImage()
{
    const int row = resultsView_->currentIndex().row();
    if (row + 1 < resultsProxy_->rowCount())
        resultsView_->setCurrentIndex(resultsProxy_->index(row + 1, 0));
}

void MainWindow::previousImage()
{
    const int row = resultsView_->currentIndex().row();
    if (row > 0)
        resultsView_->setCurrentIndex(resultsProxy_->index(row - 1, 0));
}

QString MainWindow::imageCaption() const
{
    const QModelIndex current = resultsView_->currentIndex();
    if (!current.isValid())
        return {};
    const double score = current.data(ResultsModel::ScoreRole).toDouble();
    const QString label = resultsProxy_->index(current.row(), ResultsModel::LabelColumn).data().toString();
    return QStringLiteral("<b>%1</b> &nbsp; label: %2 &nbsp; score: <b>%3</b> &nbsp; verdict: <b>%4</b>")
        .arg(resultsProxy_->index(current.row(), ResultsModel::ImageColumn).data().toString().toHtmlEscaped(),
             label.toHtmlEscaped(), QString::number(score, 'f', 4),
             ResultsModel::verdictText(current.data(ResultsModel::DefectRole).toBool()));
}

void MainWindow::resultSelectionChanged()
{
    const QModelIndex current = resultsView_->currentIndex();
    imageId_ = current.isValid() ? current.data(ResultsModel::ImageIdRole).toLongLong() : 0;
    updateVerdictActions();
    showHistory();
    if (!imageId_ || !project_) {
        imagePane_->setPlaceholder(QString());
        reviewPanel_->clearImage();
        return;
    }
    showReviewState();
    try {
        const std::optional<ds::ImageRecord> record = project_->image(imageId_);
        if (!record)
            throw ds::Error("the image is no longer in the project");
        const cv::Mat image = ds::loadImageRgb(record->path);
        imagePane_->showImage(image, project_->heatmap(runId_, imageId_), project_->mask(imageId_), imageCaption(), imageId_);
    } catch (const std::exception& e) {
        imagePane_->setPlaceholder(QStringLiteral("Cannot show this image:\n") + fromStd(e.what()));
    }
}

// ---- Review ----------------------------------------------------------------------------

QString MainWindow::reviewerName()
{
    QString fallback = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME"));
    if (fallback.isEmpty())
        fallback = QStringLiteral("reviewer");
    return QSettings().value(QStringLiteral("review/reviewer"), fallback).toString();
}

void MainWindow::preferencesDialog()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, QStringLiteral("Reviewer Name"),
                                               QStringLiteral("Verdicts and mask edits are recorded under this name:"),
                                               QLineEdit::Normal, reviewerName(), &ok)
                             .trimmed();
    if (ok && !name.isEmpty())
        QSettings().setValue(QStringLiteral("review/reviewer"), name);
}

ds::ReviewContext MainWindow::reviewContext() const
{
    ds::ReviewContext context;
    if (runModelId_) {
        context.modelId = runModelId_;
        context.runId = runId_;
        context.threshold = currentThreshold();
    }
    return context;
}

void MainWindow::giveVerdict(ds::Verdict verdict)
{
    if (!project_ || !imageId_ || scoringModelId_)
        return;
    ds::ReviewRecord review;
    review.imageId = imageId_;
    review.verdict = verdict;
    review.reviewer = reviewerName().toStdString();
    review.context = reviewContext();
    // The next image to review, decided before the row may leave a filtered view.
    const int row = resultsView_->currentIndex().row();
    const qint64 next
        = row + 1 < resultsProxy_->rowCount() ? resultsProxy_->index(row + 1, 0).data(ResultsModel::ImageIdRole).toLongLong() : 0;
    try {
        project_->addReview(review);
        readImages(); // the truth follows the new verdict
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Review"), QStringLiteral("Could not record the verdict."), fromStd(e.what()));
        return;
    }
    const qint64 reviewed = imageId_;
    const ImageInfo image = images_.value(reviewed);
    resultsModel_->setReview(reviewed, image.review, image.truth);
    updateThresholdPlots();
    updateReviewProgress();
    scheduleMetrics();
    statusBar()->showMessage(
        QStringLiteral("%1 marked %2 by %3")
            .arg(images_.value(reviewed).fileName, QString::fromLatin1(ds::verdictName(verdict)), reviewerName()),
        4000);
    if (next)
        selectImage(next);
    else if (imageId_ == reviewed) { // the last one: show its new verdict, no need to reload the image
        showReviewState();
        showHistory();
    }
}

void MainWindow::saveMaskEdit(const cv::Mat& mask, const QString& action)
{
    if (!project_ || !imageId_)
        return;
    ds::MaskEditRecord edit;
    edit.imageId = imageId_;
    edit.reviewer = reviewerName().toStdString();
    edit.context = reviewContext();
    edit.action = action.toStdString();
    if (revertingMaskEdit_)
        return; // the pane is going back to what the project holds
    try {
        project_->saveMaskEdit(edit, mask);
    } catch (const std::exception& e) {
        // The pane must show what the project holds: step back over the edit that was not
        // saved (it stays redoable, so the work can be tried again).
        revertingMaskEdit_ = true;
        if (QUndoStack* stack = imagePane_->undoStack()) {
            if (action.startsWith(QStringLiteral("undo ")))
                stack->redo();
            else
                stack->undo();
        }
        revertingMaskEdit_ = false;
        showMessage(true, QStringLiteral("Mask"), QStringLiteral("Could not save the mask edit; it was taken back."),
                    fromStd(e.what()));
        return;
    }
    showHistory();
    scheduleMetrics(); // pixel metrics rest on the masks
}

void MainWindow::defectTypesDialog()
{
    if (!project_)
        return;
    DefectTypesDialog dialog(*project_, this);
    bool changed = false;
    connect(&dialog, &DefectTypesDialog::typesChanged, imagePane_, [this, &changed](const std::vector<ds::DefectType>& types) {
        changed = true;
        imagePane_->setDefectTypes(types);
    });
    dialog.exec();
    if (!changed)
        return;
    // A type's id may now name another type: undoing old edits would paint the wrong one.
    imagePane_->maskEditor()->forgetHistory();
    // A renamed type renames the labels that used it; a deleted one turned its regions untyped.
    const qint64 shown = imageId_;
    loadLatestRun(runModelId_ ? runModelId_ : selectedModelId());
    if (shown)
        selectImage(shown);
}

void MainWindow::showReviewState()
{
    const ResultsModel::Row* row = imageId_ ? resultsModel_->row(imageId_) : nullptr;
    if (!row) {
        reviewPanel_->clearImage();
        return;
    }
    const auto review = reviews_.find(imageId_);
    if (review == reviews_.end())
        reviewPanel_->showImage(row->score, currentThreshold(), {}, {}, {});
    else
        reviewPanel_->showImage(row->score, currentThreshold(), QString::fromLatin1(ds::verdictName(review->second.verdict)),
                                fromStd(review->second.reviewer), readableUtc(review->second.createdAt) + QStringLiteral(" UTC"));
}

void MainWindow::updateReviewProgress()
{
    int reviewed = 0;
    for (const ResultsModel::Row& row : resultsModel_->rows())
        reviewed += !row.review.isEmpty();
    reviewPanel_->setProgress(reviewed, int(resultsModel_->rows().size()));
}

void MainWindow::setReviewOrder(int order)
{
    reviewPanel_->orderBox()->setCurrentIndex(reviewPanel_->orderBox()->findData(order));
}

void MainWindow::applyReviewOrder()
{
    if (reviewPanel_->order() == ReviewPanel::Order::HighestScore) {
        if (resultsProxy_->hasRanking()) {
            resultsProxy_->setRanking({});
            resultsView_->setSortingEnabled(true);
            resultsView_->sortByColumn(ResultsModel::ScoreColumn, Qt::DescendingOrder);
        }
        return;
    }
    std::vector<std::int64_t> ids;
    std::vector<double> scores;
    for (const ResultsModel::Row& row : resultsModel_->rows()) {
        ids.push_back(row.imageId);
        scores.push_back(row.score);
    }
    resultsView_->setSortingEnabled(false); // the queue decides the order, not a column
    resultsView_->horizontalHeader()->setSortIndicatorShown(false);
    resultsProxy_->setRanking(ds::reviewOrder(ids, scores, currentThreshold(), ds::ReviewOrder::NearestThresholdFirst));
    if (imageId_)
        resultsView_->scrollTo(resultsView_->currentIndex());
}

void MainWindow::showHistory()
{
    historyView_->clear();
    if (!project_ || !imageId_)
        return;
    struct Entry {
        std::string when;
        QStringList columns;
    };
    std::vector<Entry> entries;
    const auto contextColumns = [this](const ds::ReviewContext& context) {
        QString model = QStringLiteral("—");
        if (context.modelId) {
            model = QStringLiteral("model %1").arg(*context.modelId);
            for (int i = 0; i < modelsView_->topLevelItemCount(); ++i)
                if (modelsView_->topLevelItem(i)->data(0, kModelIdRole).toLongLong() == *context.modelId)
                    model = modelsView_->topLevelItem(i)->text(0);
        }
        return QStringList {model, context.threshold ? QString::number(*context.threshold, 'f', 4) : QStringLiteral("—")};
    };
    try {
        for (const ds::ReviewRecord& review : project_->reviews(imageId_))
            entries.push_back({review.createdAt,
                               QStringList {fromStd(review.reviewer),
                                            QStringLiteral("verdict: ") + QString::fromLatin1(ds::verdictName(review.verdict))}
                                   + contextColumns(review.context)});
        for (const ds::MaskEditRecord& edit : project_->maskEdits(imageId_))
            entries.push_back({edit.createdAt,
                               QStringList {fromStd(edit.reviewer),
                                            QStringLiteral("mask: %1 (%2 px)").arg(fromStd(edit.action)).arg(edit.defectPixels)}
                                   + contextColumns(edit.context)});
    } catch (const std::exception& e) {
        statusBar()->showMessage(QStringLiteral("Could not read the history: ") + fromStd(e.what()), 10000);
        return;
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.when < b.when; });
    for (const Entry& entry : entries) {
        new QTreeWidgetItem(historyView_, QStringList {readableUtc(entry.when, true)} + entry.columns);
    }
    for (int column = 0; column < historyView_->columnCount(); ++column)
        historyView_->resizeColumnToContents(column);
}

void MainWindow::scheduleMetrics()
{
    if (runId_)
        metricsTimer_->start();
}

void MainWindow::computeMetrics()
{
    if (!runId_ || projectPath_.isEmpty())
        return;
    if (metricsFuture_.isRunning()) { // one at a time: ask again when this one is done
        metricsTimer_->start();
        return;
    }
    const quint64 generation = ++metricsGeneration_;
    const std::string project = projectPath_.toStdString();
    const std::int64_t runId = runId_;
    // The window waits for this future before it is destroyed, so `this` outlives it.
    metricsFuture_ = QtConcurrent::run([this, project, runId, generation] {
        QString text;
        try {
            const ds::ProjectFile file = ds::ProjectFile::open(project);
            const ds::RunMetrics metrics = ds::computeRunMetrics(file, runId);
            const auto value = [](const std::optional<double>& metric) {
                return metric ? QString::number(*metric, 'f', 3) : QStringLiteral("—");
            };
            text = QStringLiteral(
                       "Image AUROC <b>%1</b> · pixel AUROC <b>%2</b> · AUPRO <b>%3</b> · F1-max <b>%4</b>"
                       " &nbsp;<small>on %5 good and %6 defective images (%7 with masks), %8 labels from reviewers%9</small>")
                       .arg(value(metrics.imageAuroc), value(metrics.pixelAuroc), value(metrics.aupro), value(metrics.f1Max))
                       .arg(metrics.nGood)
                       .arg(metrics.nDefective)
                       .arg(metrics.nWithMask)
                       .arg(metrics.nReviewed)
                       .arg(metrics.nUnknown ? QStringLiteral(", %1 without truth left out").arg(metrics.nUnknown) : QString());
        } catch (const std::exception& e) {
            text = QStringLiteral("Metrics unavailable: ") + fromStd(e.what()).toHtmlEscaped();
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation, text] {
                if (generation == metricsGeneration_)
                    metricsLabel_->setText(text);
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::exportResultsDialog()
{
    if (!runId_)
        return;
    const QString suggested = QFileInfo(projectPath_).absolutePath() + QLatin1Char('/')
        + QFileInfo(projectPath_).completeBaseName() + QStringLiteral("-results.csv");
    ExportResultsDialog dialog(suggested, this);
    if (dialog.exec() == QDialog::Accepted)
        exportResults(dialog.options());
}

void MainWindow::exportResults(const ds::ResultsExportOptions& options)
{
    if (!runId_)
        return;
    const std::string project = projectPath_.toStdString();
    const std::int64_t runId = runId_;
    const double threshold = currentThreshold();
    runJob(QStringLiteral("Exporting results"), [project, runId, threshold, options](ds::JobContext& job) {
        const ds::ResultsExportReport report = ds::exportResults(project, runId, threshold, options, job);
        JobOutcome outcome;
        outcome.message = QStringLiteral("Exported %1 rows to %2").arg(report.rows).arg(fromStd(options.csvPath));
        if (report.pngs > 0)
            outcome.message += QStringLiteral(" and %1 PNGs to %2").arg(report.pngs).arg(fromStd(options.pngFolder));
        outcome.message += QLatin1Char('.');
        outcome.skipped = skippedList(report.skipped);
        return outcome;
    });
}

void MainWindow::exportReportDialog()
{
    if (!runId_)
        return;
    const QString suggested = QFileInfo(projectPath_).absolutePath() + QLatin1Char('/')
        + QFileInfo(projectPath_).completeBaseName() + QStringLiteral("-report.pdf");
    QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export Report"), suggested,
                                                QStringLiteral("PDF (*.pdf);;HTML (*.html)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive)
        && !path.endsWith(QStringLiteral(".html"), Qt::CaseInsensitive))
        path += QStringLiteral(".pdf");
    exportReport(path);
}

void MainWindow::exportReport(const QString& path)
{
    if (!runId_ || !runModelId_)
        return;
    saveThresholdNow(); // the report judges at the threshold shown
    const std::string project = projectPath_.toStdString();
    const std::int64_t modelId = runModelId_;
    const double threshold = currentThreshold();
    const std::string target = path.toStdString();
    const bool html = path.endsWith(QStringLiteral(".html"), Qt::CaseInsensitive);
    runJob(QStringLiteral("Writing report"), [project, modelId, threshold, target, html](ds::JobContext& job) {
        const ds::ProjectFile file = ds::ProjectFile::open(project);
        ds::ReportData report;
        {
            ds::JobContext::Span gathering(job, 0.0, 0.7);
            report = ds::gatherReport(file, modelId, threshold, 24, &job);
        }
        job.report(0.75, "Writing the report");
        if (html)
            ds::writeHtmlReport(report, target);
        else
            ds::writePdfReport(report, target);
        JobOutcome outcome;
        outcome.message = QStringLiteral("Report written to %1.").arg(fromStd(target));
        return outcome;
    });
}

void MainWindow::retrainWithReviewsDialog()
{
    const QTreeWidgetItem* item = modelsView_->currentItem();
    if (!item || !project_ || jobs_->isRunning())
        return;
    int count = 0;
    try {
        for (const ds::ImageRecord& image : project_->images(ds::Split::Test)) {
            const auto review = reviews_.find(image.id);
            count += review != reviews_.end() && review->second.verdict == ds::Verdict::Good;
        }
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
            .arg(item->text(0)),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes);
    if (answer == QMessageBox::Yes)
        retrainWithReviewedGood();
}

bool MainWindow::retrainWithReviewedGood()
{
    const qint64 modelId = selectedModelId();
    if (!project_ || jobs_->isRunning() || !modelId)
        return false;
    ds::DetectorSettings settings;
    QString name;
    try {
        std::vector<std::int64_t> good;
        for (const ds::ImageRecord& image : project_->images(ds::Split::Test)) {
            const auto review = reviews_.find(image.id);
            if (review != reviews_.end() && review->second.verdict == ds::Verdict::Good)
                good.push_back(image.id);
        }
        for (const ds::ModelRecord& model : project_->models())
            if (model.id == modelId) {
                settings = ds::DetectorSettings::fromJson(model.paramsJson);
                name = fromStd(model.name) + QStringLiteral(" + %1 reviewed").arg(good.size());
            }
        if (good.empty())
            return false;
        appendLog(QStringLiteral("%1 images reviewed Good join the training set if this training succeeds.").arg(good.size()));
        startTraining(settings, name, good);
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Retrain"), QStringLiteral("Could not read the reviewed images."), fromStd(e.what()));
        return false;
    }
    return true;
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
        if (QFileInfo(path).absoluteFilePath() == projectPath_)
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
    QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save Project As"), projectPath_,
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
    if (project_)
        dialog.setTrainingImageCount(project_->images(ds::Split::Train).size());
    if (dialog.exec() == QDialog::Accepted)
        startTraining(dialog.settings(), dialog.modelName());
}

void MainWindow::deleteModelDialog()
{
    const QTreeWidgetItem* item = modelsView_->currentItem();
    if (!item || jobs_->isRunning())
        return;
    const auto answer = QMessageBox::question(
        this, QStringLiteral("Delete Model"),
        QStringLiteral("Delete the model “%1” with all its runs and results? This cannot be undone.").arg(item->text(0)),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer == QMessageBox::Yes)
        deleteModel(item->data(0, kModelIdRole).toLongLong());
}

bool MainWindow::deleteModel(qint64 modelId)
{
    if (!project_ || jobs_->isRunning() || !modelId)
        return false;
    if (runModelId_ == modelId) {
        thresholdSaveTimer_->stop();
        thresholdDirty_ = false; // its threshold goes with it
    }
    try {
        project_->deleteModel(modelId); // ids are never reused: its stored threshold is inert
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Delete Model"), QStringLiteral("Could not delete the model."), fromStd(e.what()));
        return false;
    }
    refreshModels();
    if (!selectedModelId() && modelsView_->topLevelItemCount() > 0)
        modelsView_->setCurrentItem(modelsView_->topLevelItem(modelsView_->topLevelItemCount() - 1));
    modelSelectionChanged();
    statusBar()->showMessage(QStringLiteral("Model deleted."), 5000);
    return true;
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
    if (!project_)
        return;
    saveThresholdNow(); // the dialog judges each model at its chosen threshold
    if (compareDialog_)
        compareDialog_->close();
    // Models with a finished run start out ticked.
    compareDialog_ = new CompareDialog(projectPath_, this);
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
    if (paths.size() == 1 && paths.first().endsWith(QStringLiteral(".dsproj"), Qt::CaseInsensitive)) {
        openProject(paths.first());
        return;
    }
    if (!project_) {
        showMessage(true, QStringLiteral("Import"), QStringLiteral("Create or open a project first (File → New Project)."));
        return;
    }
    QStringList images, folders;
    for (const QString& path : paths) {
        if (QFileInfo(path).isDir())
            folders << path;
        else if (ds::isSupportedImageFile(path.toStdString()))
            images << path;
    }
    if (!images.isEmpty()) {
        importGoodImageFiles(images);
    } else if (folders.size() == 1) {
        // A folder in the MVTec layout brings test images and masks; any other is good parts.
        if (QFileInfo(QDir(folders.first()).filePath(QStringLiteral("train/good"))).isDir())
            importDataset(folders.first());
        else
            importGoodImages(folders.first());
    } else {
        showMessage(true, QStringLiteral("Import"), QStringLiteral("Drop image files, one folder, or one .dsproj project file."));
    }
}

// ---- Jobs ------------------------------------------------------------------------------

void MainWindow::importDataset(const QString& folder)
{
    const std::string project = projectPath_.toStdString();
    const std::string root = folder.toStdString();
    runJob(QStringLiteral("Importing dataset"), [project, root](ds::JobContext& job) {
        const ds::ImportReport report = ds::importMvtecDataset(project, root, job);
        JobOutcome outcome;
        outcome.message = importMessage(report, QStringLiteral("image"));
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
        outcome.message = importMessage(report, QStringLiteral("good image"));
        outcome.skipped = skippedList(report.skipped);
        return outcome;
    });
}

void MainWindow::importGoodImageFiles(const QStringList& files)
{
    std::vector<ds::DatasetItem> items;
    for (const QString& file : files)
        items.push_back({file.toStdString(), ds::kGoodLabel, {}});
    const std::string project = projectPath_.toStdString();
    runJob(QStringLiteral("Importing images"), [project, items](ds::JobContext& job) {
        const ds::ImportReport report = ds::importImages(project, items, ds::Split::Train, job);
        JobOutcome outcome;
        outcome.message = importMessage(report, QStringLiteral("good image"));
        outcome.skipped = skippedList(report.skipped);
        return outcome;
    });
}

void MainWindow::startTraining(const ds::DetectorSettings& settings, const QString& name,
                               const std::vector<std::int64_t>& moveToTraining)
{
    const std::string project = projectPath_.toStdString();
    const std::string modelName = name.toStdString();
    runJob(QStringLiteral("Training"), [project, settings, modelName, moveToTraining](ds::JobContext& job) {
        const ds::TrainOutcome trained = ds::trainModel(project, settings, modelName, job, moveToTraining);
        JobOutcome outcome;
        outcome.message = QStringLiteral("Trained on %1 in %2 (%3 held out to set the threshold); threshold %4. "
                                         "Score the test images with Ctrl+R.")
                              .arg(countOf(trained.trainCount, QStringLiteral("image"), QStringLiteral("images")))
                              .arg(formatSeconds(trained.trainSeconds))
                              .arg(countOf(trained.heldOutCount, QStringLiteral("more"), QStringLiteral("more")))
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
    startScoring(modelId, 0);
}

// A new run of the model over every test image, or the rest of an interrupted one.
void MainWindow::startScoring(qint64 modelId, qint64 resumeRunId)
{
    if (jobs_->isRunning() || !project_ || !modelsView_->currentItem())
        return;
    // Rows appear as they are scored, judged at the threshold the user chose for this model;
    // the finished run then replaces them. The model list and the threshold controls wait
    // until the run is complete, so nothing mixes two runs.
    saveThresholdNow();
    double threshold = modelsView_->currentItem()->data(0, kModelThresholdRole).toDouble();
    try {
        threshold = project_->chosenThreshold(modelId).value_or(threshold);
    } catch (const std::exception&) {
        // The model's own threshold is a fine stand-in for the live rows.
    }
    try {
        readImages(); // including any added since the run shown was loaded
    } catch (const std::exception& e) {
        showMessage(true, QStringLiteral("Score Test Images"), QStringLiteral("Could not read the project."), fromStd(e.what()));
        return;
    }
    resultsModel_->setRows({}, threshold);
    updateThresholdPlots();
    runId_ = 0;
    runModelId_ = 0;
    imageId_ = 0;
    scoringModelId_ = modelId;
    thresholdSlider_->setEnabled(false);
    resetThreshold_->setEnabled(false);
    thresholdPlots_->setEnabled(false);
    imagePane_->setPlaceholder(QStringLiteral("Scoring…"));
    runLabel_->setText(QStringLiteral("Scoring…"));
    const std::string project = projectPath_.toStdString();
    // The window waits for its job before it is destroyed, so `this` outlives the worker.
    runJob(QStringLiteral("Scoring"), [this, project, modelId, resumeRunId](ds::JobContext& job) {
        const auto onResult = [this](const ds::ResultRecord& result) {
            const qint64 runId = result.runId, imageId = result.imageId;
            const double score = result.score;
            QMetaObject::invokeMethod(
                this, [this, runId, imageId, score] { appendLiveResult(runId, imageId, score); }, Qt::QueuedConnection);
        };
        const ds::InferOutcome inferred = resumeRunId ? ds::resumeRun(project, resumeRunId, job, onResult)
                                                      : ds::inferImages(project, modelId, {}, job, onResult);
        JobOutcome outcome;
        outcome.message
            = QStringLiteral("Scored %1.").arg(countOf(inferred.scored, QStringLiteral("image"), QStringLiteral("images")));
        if (inferred.f1Threshold)
            outcome.message += QStringLiteral(" F1-optimal threshold: %1.").arg(*inferred.f1Threshold, 0, 'f', 4);
        outcome.skipped = skippedList(inferred.skipped);
        outcome.selectModelId = modelId;
        return outcome;
    });
}

void MainWindow::appendLiveResult(qint64 runId, qint64 imageId, double score)
{
    if (!scoringModelId_)
        return; // the job ended first: its finished run is shown instead
    runId_ = runId; // each result is committed, so its heatmap can be shown already
    resultsModel_->appendRow(resultRow(imageId, score));
    runLabel_->setText(QStringLiteral("Scoring… %1 images so far").arg(resultsModel_->rowCount()));
    if (!resultsModel_->hasThumbnail(imageId) && !thumbnailBatch_->isActive())
        thumbnailBatch_->start(); // previews for the rows so far, made on a worker thread
}

void MainWindow::runJob(const QString& title, JobRunner::Work work)
{
    if (jobs_->isRunning() || !project_)
        return;
    jobStage_->setText(title);
    jobProgress_->setValue(0);
    jobCancel_->setEnabled(true);
    jobPanel_->show();
    curves_->clear();
    curves_->hide();
    jobs_->start(title, std::move(work));
    updateActions();
}

void MainWindow::showJobProgress(double fraction, const QString& text)
{
    jobStage_->setText(text);
    jobProgress_->setValue(int(fraction * 1000));
}

void MainWindow::appendLog(const QString& line)
{
    log_->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + line);
}

void MainWindow::cancelJob()
{
    if (!jobs_->isRunning())
        return;
    jobs_->cancel();
    jobCancel_->setEnabled(false);
    jobStage_->setText(QStringLiteral("Cancelling…"));
}

void MainWindow::finishJob(const JobOutcome& outcome)
{
    scoringModelId_ = 0;
    jobPanel_->hide();

    const qint64 shownImage = imageId_; // stay on the image the user was looking at
    refreshModels();
    if (outcome.selectModelId)
        selectModel(outcome.selectModelId);
    else
        modelSelectionChanged();
    if (shownImage)
        selectImage(shownImage);
    updateActions();

    for (const QString& skipped : outcome.skipped)
        appendLog(QStringLiteral("skipped ") + skipped);
    switch (outcome.status) {
    case JobOutcome::Status::Succeeded:
        statusBar()->showMessage(outcome.message, 15000);
        if (!outcome.skipped.isEmpty())
            showMessage(false, QStringLiteral("Skipped Files"),
                        QStringLiteral("%1\n%2 files could not be read and were skipped; the rest was kept.")
                            .arg(outcome.message)
                            .arg(outcome.skipped.size()),
                        outcome.skipped.join(QLatin1Char('\n')));
        break;
    case JobOutcome::Status::Cancelled: statusBar()->showMessage(outcome.message, 15000); break;
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
    saveThresholdNow();
    saveViewState();
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    QMainWindow::closeEvent(event);
}

} // namespace ds::ui
