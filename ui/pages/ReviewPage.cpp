#include "ui/pages/ReviewPage.h"

#include "core/Error.h"
#include "core/data/ImageIO.h"
#include "core/review/GroundTruth.h"
#include "core/review/ReviewQueue.h"
#include "ui/ImagePane.h"
#include "ui/ReviewPanel.h"
#include "ui/Wording.h"
#include "ui/jobs/BackgroundTask.h"
#include "ui/models/ModelsModel.h"
#include "ui/models/ResultsFilterProxy.h"
#include "ui/models/ThumbnailLoader.h"
#include "ui/plots/ThresholdPlots.h"
#include "ui/review/MaskEditor.h"
#include "ui/review/ReviewHistoryView.h"
#include "ui/review/RunMetricsLabel.h"
#include "ui/review/ThresholdBar.h"
#include "ui/widgets/ImageView.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSlider>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace ds::ui {

namespace {

constexpr int kThumbnailSide = 40;
constexpr int kDefaultOverlayOpacity = 45;

QString fromStd(const std::string& text)
{
    return QString::fromStdString(text);
}

} // namespace

ReviewPage::ReviewPage(const ModelsModel* models, QWidget* window)
    : QObject(window)
    , models_(models)
    , window_(window)
{
    resultsPane_ = createResultsPane();
    reviewTab_ = createReviewTab();
    historyView_ = new ReviewHistoryView([this](std::int64_t modelId) {
        const ds::ModelSummary* summary = models_->summary(modelId);
        return summary ? fromStd(summary->model.name) : QStringLiteral("model %1").arg(modelId);
    });
    imageLoad_ = new BackgroundTask(this);
    connect(imageLoad_, &BackgroundTask::failed, this,
            [this](const QString& reason) { showPlaceholder(QStringLiteral("Cannot show this image:\n") + reason); });
    thresholdSaveTimer_ = new QTimer(this);
    thresholdSaveTimer_->setSingleShot(true);
    thresholdSaveTimer_->setInterval(400);
    connect(thresholdSaveTimer_, &QTimer::timeout, this, &ReviewPage::saveThresholdNow);
}

ReviewPage::~ReviewPage()
{
    saveThresholdNow();
}

QWidget* ReviewPage::createResultsPane()
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
    connect(resultsView_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ReviewPage::currentRowChanged);

    thumbnails_ = new ThumbnailLoader(kThumbnailSide, this);
    connect(thumbnails_, &ThumbnailLoader::thumbnailReady, resultsModel_, &ResultsModel::setThumbnail);
    thumbnailBatch_ = new QTimer(this);
    thumbnailBatch_->setSingleShot(true);
    thumbnailBatch_->setInterval(300);
    connect(thumbnailBatch_, &QTimer::timeout, this, &ReviewPage::requestThumbnails);

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
    labelFilter_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    labelFilter_->setMinimumContentsLength(10); // a long label elides; the window does not widen
    connect(labelFilter_, &QComboBox::currentIndexChanged, this,
            [this] { resultsProxy_->setLabel(labelFilter_->currentData().toString()); });

    runLabel_ = new QLabel(QStringLiteral("No results"));
    runLabel_->setMinimumWidth(0);
    runLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // its text never widens the window
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

QWidget* ReviewPage::createReviewTab()
{
    imagePane_ = new ImagePane(QStringLiteral("reviewView"));
    imagePane_->setObjectName(QStringLiteral("imagePane"));
    showPlaceholder(QStringLiteral("Open a project, train a model and score the test images to see results here."));
    connect(imagePane_, &ImagePane::maskEdited, this, &ReviewPage::saveMaskEdit);

    thresholdBar_ = new ThresholdBar;
    connect(thresholdBar_, &ThresholdBar::moved, this, [this](double threshold) { userMovedThreshold(threshold, false); });
    connect(thresholdBar_, &ThresholdBar::resetRequested, this, &ReviewPage::resetThreshold);
    thresholdPlots_ = new ThresholdPlots;
    thresholdPlots_->setObjectName(QStringLiteral("thresholdPlots"));
    connect(thresholdPlots_, &ThresholdPlots::thresholdChanged, this,
            [this](double threshold) { userMovedThreshold(threshold, true); });

    reviewPanel_ = new ReviewPanel;
    reviewPanel_->setObjectName(QStringLiteral("reviewPanel"));
    connect(reviewPanel_, &ReviewPanel::verdictGiven, this, &ReviewPage::giveVerdict);
    connect(reviewPanel_, &ReviewPanel::orderChanged, this, [this](ReviewPanel::Order order) {
        applyReviewOrder();
        if (project_) {
            try {
                project_->setSetting("view/reviewOrder", std::to_string(int(order)));
            } catch (const std::exception& e) {
                Q_EMIT status(QStringLiteral("Could not save the review order: ") + fromStd(e.what()), 10000);
            }
        }
    });
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

    metrics_ = new RunMetricsLabel;

    auto* imageArea = new QWidget;
    auto* imageLayout = new QVBoxLayout(imageArea);
    imageLayout->setContentsMargins(4, 4, 4, 0);
    imageLayout->addWidget(imagePane_, 1);
    imageLayout->addWidget(reviewPanel_);
    imageLayout->addWidget(thresholdBar_);
    imageLayout->addWidget(metrics_);

    auto* review = new QSplitter(Qt::Vertical);
    review->addWidget(imageArea);
    review->addWidget(thresholdPlots_);
    review->setStretchFactor(0, 3);
    review->setStretchFactor(1, 1);
    review->setSizes({500, 230});
    return review;
}

QString ReviewPage::reviewerName()
{
    QString fallback = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME"));
    if (fallback.isEmpty())
        fallback = QStringLiteral("reviewer");
    return QSettings().value(QStringLiteral("review/reviewer"), fallback).toString();
}

void ReviewPage::setReviewerName(const QString& name)
{
    QSettings().setValue(QStringLiteral("review/reviewer"), name);
}

QAction* ReviewPage::addKeyAction(QMenu* menu, const QString& text, const char* objectName, const QKeySequence& key)
{
    QAction* action = menu ? menu->addAction(text) : new QAction(text, this);
    action->setObjectName(QString::fromLatin1(objectName));
    action->setShortcut(key);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    resultsView_->addAction(action);
    imagePane_->view()->addAction(action);
    return action;
}

void ReviewPage::addNavigationActions(QMenu* menu)
{
    QAction* next = addKeyAction(menu, QStringLiteral("&Next Image"), "nextImageAction", QKeySequence(Qt::Key_N));
    next->setShortcuts({QKeySequence(Qt::Key_N), QKeySequence(Qt::Key_PageDown)});
    connect(next, &QAction::triggered, this, &ReviewPage::nextImage);
    QAction* previous = addKeyAction(menu, QStringLiteral("&Previous Image"), "previousImageAction", QKeySequence(Qt::Key_P));
    previous->setShortcuts({QKeySequence(Qt::Key_P), QKeySequence(Qt::Key_PageUp)});
    connect(previous, &QAction::triggered, this, &ReviewPage::previousImage);
    connect(addKeyAction(nullptr, {}, "nextImageArrow", QKeySequence(Qt::Key_Right)), &QAction::triggered, this,
            &ReviewPage::nextImage);
    connect(addKeyAction(nullptr, {}, "previousImageArrow", QKeySequence(Qt::Key_Left)), &QAction::triggered, this,
            &ReviewPage::previousImage);
}

void ReviewPage::addReviewActions(QMenu* menu)
{
    const auto verdictAction = [this, menu](const QString& text, Qt::Key key, ds::Verdict verdict, const char* name) {
        QAction* action = addKeyAction(menu, text, name, QKeySequence(key));
        connect(action, &QAction::triggered, this, [this, verdict] { giveVerdict(verdict); });
        verdictActions_ << action;
    };
    verdictAction(QStringLiteral("Mark &Defect"), Qt::Key_D, ds::Verdict::Defect, "defectAction");
    verdictAction(QStringLiteral("Mark &Good"), Qt::Key_G, ds::Verdict::Good, "goodAction");
    verdictAction(QStringLiteral("Mark &Unsure"), Qt::Key_U, ds::Verdict::Unsure, "unsureAction");
    updateVerdictActions();
    menu->addSeparator();
    QAction* overlay = addKeyAction(menu, QStringLiteral("Toggle &Overlay"), "toggleOverlayAction", QKeySequence(Qt::Key_O));
    connect(overlay, &QAction::triggered, this, &ReviewPage::toggleOverlay);
    menu->addSeparator();
    QAction* editMask = addKeyAction(menu, QStringLiteral("Edit &Mask"), "editMaskAction", QKeySequence(Qt::Key_M));
    editMask->setStatusTip(
        QStringLiteral("Paint the true defect region: brush, eraser, polygon, fill, accept the predicted region"));
    editMask->setCheckable(true);
    connect(editMask, &QAction::toggled, imagePane_, &ImagePane::setMaskEditingEnabled);
}

void ReviewPage::updateVerdictActions()
{
    for (QAction* verdict : verdictActions_)
        verdict->setEnabled(project_ && imageId_ && runId_ && !scoringModelId_);
}

QSlider* ReviewPage::thresholdSlider() const
{
    return thresholdBar_->slider();
}

QLabel* ReviewPage::metricsLabel() const
{
    return metrics_;
}

void ReviewPage::setProject(ds::ProjectFile* project, const QString& path)
{
    saveThresholdNow();
    thumbnails_->cancel();
    resultsModel_->clearThumbnails();
    imagePane_->maskEditor()->forgetHistory(); // image ids mean other images in another project
    project_ = project;
    projectPath_ = path;
    if (project_) {
        try {
            imagePane_->setDefectTypes(project_->defectTypes());
            // The review order the user last chose for this project.
            if (const auto stored = project_->setting("view/reviewOrder")) {
                const QSignalBlocker blocker(reviewPanel_->orderBox());
                setReviewOrder(fromStd(*stored).toInt());
            }
        } catch (const std::exception& e) {
            Q_EMIT message(true, QStringLiteral("Open Project"), QStringLiteral("Could not read the project's review settings."),
                           fromStd(e.what()));
        }
    }
    showModel(0);
}

void ReviewPage::clearRun()
{
    imageLoad_->cancel();
    runId_ = 0;
    runModelId_ = 0;
    imageId_ = 0;
    reviewPanel_->clearImage(); // nothing of the image shown before stays on the review bar
    images_.clear();
    reviews_.clear();
}

void ReviewPage::showModel(std::int64_t modelId)
{
    if (!saveThresholdNow()) // the previous model's, before runModelId_ changes
        Q_EMIT message(true, QStringLiteral("Threshold"),
                       QStringLiteral("The threshold you chose for the previous model could not be saved."), {});
    clearRun();
    std::vector<ResultsModel::Row> rows;
    double threshold = 0.0;
    QString runText = modelId ? QStringLiteral("Not scored yet: use Model → Score Test Images (Ctrl+R).")
                              : QStringLiteral("No model selected.");
    const ds::ModelSummary* summary = models_->summary(modelId);
    if (project_ && summary && summary->latestRun) {
        try {
            readImages();
            runId_ = summary->latestRun->id;
            runThreshold_ = summary->latestRun->threshold;
            runModelId_ = modelId;
            threshold = summary->threshold;
            for (const ds::ResultRecord& result : project_->results(runId_, ds::ProjectFile::Heatmaps::Skip))
                rows.push_back(resultRow(result.imageId, result.score));
            runText = QStringLiteral("Run %1 · %2 UTC · %3 images")
                          .arg(runId_)
                          .arg(readableUtc(summary->latestRun->createdAt))
                          .arg(rows.size());
        } catch (const std::exception& e) {
            Q_EMIT message(true, QStringLiteral("Results"), QStringLiteral("Could not read the results."), fromStd(e.what()));
            rows.clear();
            clearRun();
        }
    }
    double low = 0.0, high = 1.0;
    if (!rows.empty()) {
        const auto [lowest, highest]
            = std::minmax_element(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.score < b.score; });
        low = lowest->score;
        high = highest->score;
    }
    thresholdBar_->setScoreRange(low, high, threshold);
    runLabel_->setText(runText);
    resultsModel_->setRows(std::move(rows), threshold);
    updateThresholdPlots();
    updateLabelFilter();
    requestThumbnails();
    updateReviewProgress();
    metrics_->setRun(projectPath_, runId_);
    thresholdBar_->setAdjustable(runId_ != 0);
    thresholdPlots_->setEnabled(runId_ != 0);
    applyThreshold(threshold, true); // exactly this value, not the slider's rounding
    if (!runId_)
        thresholdBar_->clear();
    thresholdDirty_ = false;
    if (resultsProxy_->rowCount() > 0) {
        resultsView_->selectRow(0);
        resultsView_->setCurrentIndex(resultsProxy_->index(0, 0));
    } else {
        showPlaceholder(modelId ? runText : QStringLiteral("Select a model to see its results."));
    }
    updateVerdictActions();
    Q_EMIT stateChanged();
}

void ReviewPage::reload()
{
    const std::int64_t shown = imageId_;
    showModel(runModelId_);
    if (shown)
        selectImage(shown);
}

bool ReviewPage::beginScoring(std::int64_t modelId, double threshold)
{
    saveThresholdNow();
    try {
        readImages(); // including any added since the run shown was loaded
    } catch (const std::exception& e) {
        Q_EMIT message(true, QStringLiteral("Score Test Images"), QStringLiteral("Could not read the project."),
                       fromStd(e.what()));
        return false;
    }
    // Rows appear as they are scored, judged at the threshold the user chose for this model;
    // the finished run then replaces them. The threshold controls wait until the run is
    // complete, so nothing mixes two runs.
    imageLoad_->cancel();
    resultsModel_->setRows({}, threshold);
    updateThresholdPlots();
    runId_ = 0;
    runModelId_ = 0;
    imageId_ = 0;
    scoringModelId_ = modelId;
    reviewPanel_->clearImage();
    thresholdBar_->setAdjustable(false);
    thresholdPlots_->setEnabled(false);
    showPlaceholder(QStringLiteral("Scoring…"));
    runLabel_->setText(QStringLiteral("Scoring…"));
    metrics_->setRun(projectPath_, 0);
    updateVerdictActions();
    Q_EMIT stateChanged();
    return true;
}

void ReviewPage::appendScoredImage(std::int64_t runId, std::int64_t imageId, double score)
{
    if (!scoringModelId_)
        return; // the job ended first: its finished run is shown instead
    runId_ = runId; // each result is committed, so its heatmap can be shown already
    resultsModel_->appendRow(resultRow(imageId, score));
    runLabel_->setText(QStringLiteral("Scoring… %1 images so far").arg(resultsModel_->rowCount()));
    if (!resultsModel_->hasThumbnail(imageId) && !thumbnailBatch_->isActive())
        thumbnailBatch_->start(); // previews for the rows so far, made on a worker thread
}

void ReviewPage::readImages()
{
    images_.clear();
    reviews_ = project_->latestReviews();
    const std::map<std::int64_t, ds::ImageTruth> truth = ds::effectiveTruth(*project_);
    for (const ds::ImageRecord& image : project_->images()) {
        const QFileInfo file(fromStd(image.path));
        ImageInfo info {file.dir().dirName() + QLatin1Char('/') + file.fileName(), file.filePath(), fromStd(image.label), {}, {}};
        if (const auto review = reviews_.find(image.id); review != reviews_.end())
            info.review = QString::fromLatin1(ds::verdictName(review->second.verdict));
        if (const auto known = truth.find(image.id); known != truth.end()) {
            info.truth = known->second.defective;
            info.truthFromReviewer = known->second.fromReviewer;
        }
        images_.insert(image.id, std::move(info));
    }
}

ResultsModel::Row ReviewPage::resultRow(std::int64_t imageId, double score) const
{
    const ImageInfo image = images_.value(imageId);
    return {imageId, image.fileName, image.label, score, image.review, image.truth, image.truthFromReviewer};
}

void ReviewPage::updateThresholdPlots()
{
    std::vector<float> scores;
    std::vector<int> labels;
    int known = 0, fromReviewers = 0;
    for (const ResultsModel::Row& row : resultsModel_->rows()) {
        scores.push_back(float(row.score));
        labels.push_back(row.truth ? int(*row.truth) : -1);
        known += row.truth.has_value();
        fromReviewers += row.truth.has_value() && row.truthFromReviewer;
    }
    thresholdPlots_->setScores(std::move(scores), std::move(labels));
    const int unknown = int(resultsModel_->rows().size()) - known;
    thresholdPlots_->setLabelNote(QStringLiteral("On %1 labels, %2 from reviewers%3")
                                      .arg(known)
                                      .arg(fromReviewers)
                                      .arg(unknown ? QStringLiteral("; %1 unlabelled").arg(unknown) : QString()));
}

void ReviewPage::updateLabelFilter()
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

void ReviewPage::requestThumbnails()
{
    QList<ThumbnailLoader::Request> requests;
    for (const ResultsModel::Row& row : resultsModel_->rows())
        if (!resultsModel_->hasThumbnail(row.imageId))
            requests.append({row.imageId, images_.value(row.imageId).path});
    thumbnails_->load(std::move(requests));
}

double ReviewPage::currentThreshold() const
{
    return resultsModel_->threshold();
}

void ReviewPage::userMovedThreshold(double threshold, bool moveSlider)
{
    if (runId_ == 0 || scoringModelId_)
        return;
    applyThreshold(threshold, moveSlider);
    thresholdDirty_ = true;
    thresholdSaveTimer_->start();
    Q_EMIT thresholdChanged(runModelId_, threshold);
}

void ReviewPage::resetThreshold()
{
    userMovedThreshold(runThreshold_, true);
}

void ReviewPage::applyThreshold(double threshold, bool moveSlider)
{
    thresholdPlots_->setThreshold(threshold);
    resultsModel_->setThreshold(threshold);
    if (runId_)
        thresholdBar_->showThreshold(threshold, resultsModel_->defectCount(), moveSlider);
    imagePane_->setThreshold(threshold);
    if (imageId_) {
        imagePane_->setCaption(imageCaption());
        showReviewState();
    }
    if (reviewPanel_->order() == ReviewPanel::Order::NearestThreshold)
        applyReviewOrder();
}

bool ReviewPage::saveThresholdNow()
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
        Q_EMIT status(QStringLiteral("Could not save the threshold yet: ") + fromStd(e.what()), 10000);
        thresholdSaveTimer_->start();
        return false;
    }
}

void ReviewPage::dropPendingThreshold(std::int64_t modelId)
{
    if (runModelId_ != modelId)
        return;
    thresholdSaveTimer_->stop();
    thresholdDirty_ = false;
}

void ReviewPage::selectImage(std::int64_t imageId)
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

void ReviewPage::nextImage()
{
    const int row = resultsView_->currentIndex().row();
    if (row + 1 < resultsProxy_->rowCount())
        resultsView_->setCurrentIndex(resultsProxy_->index(row + 1, 0));
}

void ReviewPage::previousImage()
{
    const int row = resultsView_->currentIndex().row();
    if (row > 0)
        resultsView_->setCurrentIndex(resultsProxy_->index(row - 1, 0));
}

void ReviewPage::toggleOverlay()
{
    // Back and forth between no heatmap and the opacity the user had.
    QSlider* opacity = imagePane_->opacitySlider();
    if (opacity->value() > 0) {
        opacity->setProperty("restoreValue", opacity->value());
        opacity->setValue(0);
    } else {
        const QVariant restore = opacity->property("restoreValue");
        opacity->setValue(restore.isValid() ? restore.toInt() : kDefaultOverlayOpacity);
    }
}

QString ReviewPage::imageCaption() const
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

void ReviewPage::currentRowChanged()
{
    const QModelIndex current = resultsView_->currentIndex();
    imageId_ = current.isValid() ? current.data(ResultsModel::ImageIdRole).toLongLong() : 0;
    showHistory();
    updateVerdictActions();
    Q_EMIT stateChanged();
    if (!imageId_ || !project_) {
        imageLoad_->cancel();
        showPlaceholder(QString());
        reviewPanel_->clearImage();
        return;
    }
    showReviewState();
    // Decoding a large image takes tens of milliseconds: on the worker, so stepping through
    // the queue stays fluid; the pane shows the image once it is ready.
    const std::int64_t imageId = imageId_;
    imageLoad_->start([this, project = projectPath_.toStdString(), runId = runId_,
                       imageId](ds::JobContext& job, const BackgroundTask::Post&) -> BackgroundTask::Apply {
        const ds::ProjectFile file = ds::ProjectFile::openForReading(project);
        const std::optional<ds::ImageRecord> record = file.image(imageId);
        if (!record)
            throw ds::Error("the image is no longer in the project");
        cv::Mat image = ds::loadImageRgb(record->path);
        job.throwIfCancelled();
        cv::Mat heatmap = file.heatmap(runId, imageId);
        cv::Mat mask = file.mask(imageId);
        return [this, image, heatmap, mask, imageId] {
            // The caption follows the threshold, which may have moved while decoding.
            imagePane_->showImage(image, heatmap, mask, imageCaption(), imageId);
            shownImageId_ = imageId;
        };
    });
}

ds::ReviewContext ReviewPage::reviewContext() const
{
    ds::ReviewContext context;
    if (runModelId_) {
        context.modelId = runModelId_;
        context.runId = runId_;
        context.threshold = currentThreshold();
    }
    return context;
}

void ReviewPage::giveVerdict(ds::Verdict verdict)
{
    if (!project_ || !imageId_ || !runId_ || scoringModelId_)
        return;
    ds::ReviewRecord review;
    review.imageId = imageId_;
    review.verdict = verdict;
    review.reviewer = reviewerName().toStdString();
    review.context = reviewContext();
    // The next image to review, decided before the row may leave a filtered view.
    const int row = resultsView_->currentIndex().row();
    const std::int64_t next
        = row + 1 < resultsProxy_->rowCount() ? resultsProxy_->index(row + 1, 0).data(ResultsModel::ImageIdRole).toLongLong() : 0;
    try {
        project_->addReview(review);
        readImages(); // the truth follows the new verdict
    } catch (const std::exception& e) {
        Q_EMIT message(true, QStringLiteral("Review"), QStringLiteral("Could not record the verdict."), fromStd(e.what()));
        return;
    }
    const std::int64_t reviewed = imageId_;
    const ImageInfo image = images_.value(reviewed);
    resultsModel_->setReview(reviewed, image.review, image.truth, image.truthFromReviewer);
    updateThresholdPlots();
    updateReviewProgress();
    metrics_->schedule();
    Q_EMIT status(
        QStringLiteral("%1 marked %2 by %3").arg(image.fileName, QString::fromLatin1(ds::verdictName(verdict)), reviewerName()),
        4000);
    if (next)
        selectImage(next);
    else if (imageId_ == reviewed) { // the last one: show its new verdict, no need to reload the image
        showReviewState();
        showHistory();
    }
}

std::vector<std::int64_t> ReviewPage::reviewedGoodTestImages() const
{
    std::vector<std::int64_t> good;
    if (!project_)
        return good;
    for (const ds::ImageRecord& image : project_->images(ds::Split::Test)) {
        const auto review = reviews_.find(image.id);
        if (review != reviews_.end() && review->second.verdict == ds::Verdict::Good)
            good.push_back(image.id);
    }
    return good;
}

void ReviewPage::showPlaceholder(const QString& text)
{
    imagePane_->setPlaceholder(text);
    shownImageId_ = 0;
}

void ReviewPage::saveMaskEdit(const cv::Mat& mask, const QString& action)
{
    if (!project_ || !shownImageId_ || revertingMaskEdit_)
        return; // reverting: the pane is going back to what the project holds
    ds::MaskEditRecord edit;
    edit.imageId = shownImageId_; // the image edited, even when the next one is being decoded
    edit.reviewer = reviewerName().toStdString();
    edit.context = reviewContext();
    edit.action = action.toStdString();
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
        Q_EMIT message(true, QStringLiteral("Mask"), QStringLiteral("Could not save the mask edit; it was taken back."),
                       fromStd(e.what()));
        return;
    }
    showHistory();
    metrics_->schedule(); // pixel metrics rest on the masks
}

void ReviewPage::showReviewState()
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

void ReviewPage::updateReviewProgress()
{
    int reviewed = 0;
    for (const ResultsModel::Row& row : resultsModel_->rows())
        reviewed += !row.review.isEmpty();
    reviewPanel_->setProgress(reviewed, int(resultsModel_->rows().size()));
}

void ReviewPage::setReviewOrder(int order)
{
    reviewPanel_->orderBox()->setCurrentIndex(reviewPanel_->orderBox()->findData(order));
}

void ReviewPage::applyReviewOrder()
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

void ReviewPage::showHistory()
{
    if (!project_) {
        historyView_->clear();
        return;
    }
    try {
        historyView_->showImage(*project_, imageId_);
    } catch (const std::exception& e) {
        Q_EMIT status(QStringLiteral("Could not read the history: ") + fromStd(e.what()), 10000);
    }
}

} // namespace ds::ui
