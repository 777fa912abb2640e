#include "ui/CompareDialog.h"

#include "ui/Wording.h"

#include "ui/jobs/BackgroundTask.h"

#include "core/Error.h"
#include "core/data/ImageIO.h"
#include "core/data/Overlay.h"
#include "core/jobs/JobContext.h"
#include "core/jobs/RunMetrics.h"
#include "core/metrics/Metrics.h"
#include "core/storage/ProjectFile.h"
#include "ui/ImageConversion.h"
#include "ui/plots/RocComparePlot.h"
#include "ui/widgets/ImageView.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include "ui/FileDialogs.h"
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace ds::ui {

namespace {

constexpr int kModelIdRole = Qt::UserRole;
const QString kNotAvailable = QStringLiteral("—");
const QString kNotScoredHint = QStringLiteral("score the test images first");

// The run a model is judged on: its latest finished one.
QTableWidgetItem* textItem(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return item;
}

QTableWidgetItem* metricItem(std::optional<double> value, int decimals, const QString& unit = {})
{
    QTableWidgetItem* item = textItem(value ? QString::number(*value, 'f', decimals) + unit : kNotAvailable);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    if (value)
        item->setData(CompareDialog::ValueRole, *value);
    return item;
}

} // namespace

struct CompareDialog::ModelComparison {
    std::int64_t modelId = 0;
    QString name;
    QString method;
    QString backbone;
    double trainSeconds = 0.0;
    std::int64_t runId = 0; // 0: the model has no finished run
    // The user's threshold for the model when set in the workbench, else the run's.
    double threshold = 0.0;
    ds::RunMetrics metrics;
    ds::RunScores scores;
    std::optional<ds::RocCurve> roc; // with both classes only
    QString error; // why the run could not be measured
};

struct CompareDialog::Comparison {
    std::vector<ModelComparison> models;
    QString error; // the project could not be read
};

CompareDialog::CompareDialog(const QString& projectPath, QWidget* parent)
    : QDialog(parent)
    , projectPath_(projectPath)
    , computing_(new BackgroundTask(this))
{
    setWindowTitle(QStringLiteral("Compare Models — %1").arg(QFileInfo(projectPath).fileName()));

    modelList_ = new QListWidget;
    modelList_->setObjectName(QStringLiteral("compareModelList"));
    modelList_->setToolTip(QStringLiteral("Tick two or more models; each is judged on its latest scoring run"));
    connect(modelList_, &QListWidget::itemChanged, this, &CompareDialog::compare);

    table_ = new QTableWidget(0, ColumnCount);
    table_->setObjectName(QStringLiteral("compareMetricsTable"));
    table_->setHorizontalHeaderLabels({QStringLiteral("Model"), QStringLiteral("Method"), QStringLiteral("Backbone"),
                                       QStringLiteral("Image AUROC"), QStringLiteral("Pixel AUROC"), QStringLiteral("AUPRO"),
                                       QStringLiteral("F1-max"), QStringLiteral("ms/image"), QStringLiteral("Training time")});
    table_->horizontalHeaderItem(AuproColumn)->setToolTip(QStringLiteral("Per-region overlap up to 30 % FPR"));
    table_->horizontalHeaderItem(MsPerImageColumn)->setToolTip(QStringLiteral("Detector time per scored image"));
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(ModelColumn, QHeaderView::Stretch);

    rocPlot_ = new RocComparePlot;

    imagePicker_ = new QComboBox;
    imagePicker_->setObjectName(QStringLiteral("compareImagePicker"));
    imagePicker_->setToolTip(QStringLiteral("Test images, most anomalous first for the first model"));
    imagePicker_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(imagePicker_, &QComboBox::currentIndexChanged, this, &CompareDialog::showImage);

    status_ = new QLabel;
    status_->setObjectName(QStringLiteral("compareStatus"));
    status_->setWordWrap(true);

    auto* upper = new QSplitter(Qt::Horizontal);
    upper->addWidget(modelList_);
    upper->addWidget(table_);
    upper->addWidget(rocPlot_);
    upper->setStretchFactor(0, 1);
    upper->setStretchFactor(1, 4);
    upper->setStretchFactor(2, 2);
    upper->setSizes({170, 830, 360});

    panesArea_ = new QWidget;
    auto* panesLayout = new QVBoxLayout(panesArea_);
    panesLayout->setContentsMargins(0, 0, 0, 0);
    auto* pickerRow = new QHBoxLayout;
    pickerRow->addWidget(new QLabel(QStringLiteral("Image:")));
    pickerRow->addWidget(imagePicker_, 1);
    panesLayout->addLayout(pickerRow);

    auto* splitter = new QSplitter(Qt::Vertical);
    content_ = splitter;
    splitter->addWidget(upper);
    splitter->addWidget(panesArea_);
    splitter->setSizes({300, 500});

    exportButton_ = new QPushButton(QStringLiteral("Export Image…"));
    exportButton_->setObjectName(QStringLiteral("exportImageButton"));
    exportButton_->setToolTip(QStringLiteral("Save this comparison as a PNG picture"));
    connect(exportButton_, &QPushButton::clicked, this, &CompareDialog::exportDialog);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(exportButton_, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter, 1);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(status_, 1);
    bottom->addWidget(buttons);
    layout->addLayout(bottom);
    resize(1280, 860);

    try {
        project_ = std::make_unique<ds::ProjectFile>(ds::ProjectFile::open(projectPath.toStdString()));
        listModels();
    } catch (const std::exception& e) {
        project_.reset();
        status_->setText(QStringLiteral("Could not open the project: ") + fromStd(e.what()));
        return;
    }
    compare();
}

CompareDialog::~CompareDialog() = default; // the task cancels and waits for its work

void CompareDialog::listModels()
{
    const QSignalBlocker blocker(modelList_);
    for (const ds::ModelRecord& model : project_->models()) {
        const bool scored = project_->latestDoneRun(model.id).has_value();
        auto* item = new QListWidgetItem(fromStd(model.name), modelList_);
        item->setData(kModelIdRole, qint64(model.id));
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(scored ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(fromStd(model.method) + QStringLiteral(" / ") + fromStd(model.backbone)
                         + (scored ? QString() : QStringLiteral(" — not scored yet: ") + kNotScoredHint));
    }
}

QList<qint64> CompareDialog::pickedModels() const
{
    QList<qint64> ids;
    for (int row = 0; row < modelList_->count(); ++row)
        if (modelList_->item(row)->checkState() == Qt::Checked)
            ids << modelList_->item(row)->data(kModelIdRole).toLongLong();
    return ids;
}

void CompareDialog::setSelectedModels(const QList<qint64>& modelIds)
{
    {
        const QSignalBlocker blocker(modelList_);
        for (int row = 0; row < modelList_->count(); ++row) {
            QListWidgetItem* item = modelList_->item(row);
            item->setCheckState(modelIds.contains(item->data(kModelIdRole).toLongLong()) ? Qt::Checked : Qt::Unchecked);
        }
    }
    compare();
}

CompareDialog::Comparison CompareDialog::measure(const std::string& projectPath, const std::vector<std::int64_t>& modelIds,
                                                 ds::JobContext& job)
{
    Comparison comparison;
    try {
        const ds::ProjectFile project = ds::ProjectFile::open(projectPath);
        for (std::int64_t modelId : modelIds) {
            const std::optional<ds::ModelRecord> model = project.model(modelId);
            if (!model)
                continue; // deleted since the list was made
            ModelComparison entry;
            entry.modelId = modelId;
            entry.name = fromStd(model->name);
            entry.method = fromStd(model->method);
            entry.backbone = QFileInfo(fromStd(model->backbone)).fileName();
            entry.trainSeconds = model->trainSeconds;
            const ds::ModelSummary summary = ds::modelSummary(project, *model);
            if (const std::optional<ds::RunRecord>& run = summary.latestRun) {
                entry.runId = run->id;
                entry.threshold = summary.threshold; // the one the workbench judges at
                try {
                    entry.metrics = ds::computeRunMetrics(project, run->id, &job);
                    entry.scores = ds::runScores(project, run->id);
                    if (entry.metrics.imageAuroc)
                        entry.roc = ds::rocCurve(entry.scores.scores, entry.scores.labels);
                } catch (const ds::Cancelled&) {
                    throw;
                } catch (const std::exception& e) {
                    entry.error = fromStd(e.what());
                }
            }
            comparison.models.push_back(std::move(entry));
        }
    } catch (const ds::Cancelled&) {
        comparison.models.clear();
    } catch (const std::exception& e) {
        comparison.error = fromStd(e.what());
    }
    return comparison;
}

void CompareDialog::compare()
{
    if (!project_)
        return;
    const QList<qint64> picked = pickedModels();
    status_->setText(QStringLiteral("Measuring %1 model(s)…").arg(picked.size()));
    exportButton_->setEnabled(false);
    // A newer pick cancels the measurement still running; only the newest is shown.
    computing_->start(
        [this, path = projectPath_.toStdString(),
         modelIds = std::vector<std::int64_t>(picked.begin(), picked.end())](ds::JobContext& job, const BackgroundTask::Post&) {
            Comparison comparison = measure(path, modelIds, job);
            return BackgroundTask::Apply([this, comparison = std::move(comparison)] { showComparison(comparison); });
        });
}

bool CompareDialog::isComputing() const
{
    return computing_->isRunning();
}

void CompareDialog::showComparison(const Comparison& comparison)
{
    shown_ = comparison.models;
    fillTable();
    fillPlot();
    rebuildPanes();
    fillImagePicker();
    exportButton_->setEnabled(true);
    if (!comparison.error.isEmpty())
        status_->setText(QStringLiteral("Could not read the project: ") + comparison.error);
    else if (shown_.size() < 2)
        status_->setText(QStringLiteral("Tick two or more models to compare them."));
    else
        status_->setText(QStringLiteral("Each model is judged on its latest scoring run of the test images."));
    Q_EMIT comparisonReady();
}

void CompareDialog::fillTable()
{
    table_->clearSpans();
    table_->setRowCount(int(shown_.size()));
    for (int row = 0; row < int(shown_.size()); ++row) {
        const ModelComparison& model = shown_[size_t(row)];
        table_->setItem(row, ModelColumn, textItem(model.name));
        table_->setItem(row, MethodColumn, textItem(model.method));
        table_->setItem(row, BackboneColumn, textItem(model.backbone));
        table_->setItem(row, TrainingTimeColumn, metricItem(model.trainSeconds, 1, QStringLiteral(" s")));
        const QString unmeasured = model.runId == 0 ? kNotScoredHint
            : model.error.isEmpty()                 ? QString()
                                                    : QStringLiteral("could not measure: ") + model.error;
        if (!unmeasured.isEmpty()) {
            for (int column = ImageAurocColumn; column <= MsPerImageColumn; ++column)
                table_->setItem(row, column, textItem(column == ImageAurocColumn ? unmeasured : QString()));
            table_->setSpan(row, ImageAurocColumn, 1, MsPerImageColumn - ImageAurocColumn + 1);
            table_->item(row, ImageAurocColumn)->setToolTip(unmeasured);
            continue;
        }
        const ds::RunMetrics& metrics = model.metrics;
        table_->setItem(row, ImageAurocColumn, metricItem(metrics.imageAuroc, 3));
        table_->setItem(row, PixelAurocColumn, metricItem(metrics.pixelAuroc, 3));
        table_->setItem(row, AuproColumn, metricItem(metrics.aupro, 3));
        table_->setItem(row, F1MaxColumn, metricItem(metrics.f1Max, 3));
        table_->setItem(row, MsPerImageColumn, metricItem(metrics.msPerImage, 1));
        table_->item(row, ImageAurocColumn)
            ->setToolTip(QStringLiteral("%1 good and %2 defective test images, %3 with a mask")
                             .arg(metrics.nGood)
                             .arg(metrics.nDefective)
                             .arg(metrics.nWithMask));
    }
}

void CompareDialog::fillPlot()
{
    std::vector<RocComparePlot::Curve> curves;
    QStringList without;
    for (const ModelComparison& model : shown_) {
        if (model.roc)
            curves.push_back({model.name, *model.roc, *model.metrics.imageAuroc});
        else
            without << model.name;
    }
    rocPlot_->setCurves(curves,
                        without.isEmpty() ? QString()
                                          : QStringLiteral("No ROC curve for %1: it needs a scoring run with good and "
                                                           "defective test images.")
                                                .arg(without.join(QStringLiteral(", "))));
}

void CompareDialog::fillImagePicker()
{
    // Ranked by the first measured model's score, most anomalous first; images only other
    // models scored follow.
    std::vector<std::pair<double, std::int64_t>> ranked; // (score, image id)
    std::set<std::int64_t> listed;
    for (const ModelComparison& model : shown_) {
        std::vector<std::pair<double, std::int64_t>> own;
        for (size_t i = 0; i < model.scores.imageIds.size(); ++i)
            if (listed.count(model.scores.imageIds[i]) == 0)
                own.emplace_back(model.scores.scores[i], model.scores.imageIds[i]);
        std::stable_sort(own.begin(), own.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        for (const auto& entry : own)
            listed.insert(entry.second);
        ranked.insert(ranked.end(), own.begin(), own.end());
    }
    std::map<std::int64_t, ds::ImageRecord> images;
    try {
        for (ds::ImageRecord& image : project_->images())
            images.emplace(image.id, std::move(image));
    } catch (const std::exception& e) {
        status_->setText(QStringLiteral("Could not read the project's images: ") + fromStd(e.what()));
        return;
    }

    const QVariant previous = imagePicker_->currentData();
    {
        const QSignalBlocker blocker(imagePicker_);
        imagePicker_->clear();
        for (size_t rank = 0; rank < ranked.size(); ++rank) {
            const auto found = images.find(ranked[rank].second);
            if (found == images.end())
                continue; // removed from the project since the run
            const ds::ImageRecord& image = found->second;
            imagePicker_->addItem(
                QStringLiteral("%1. %2 · %3").arg(rank + 1).arg(QFileInfo(fromStd(image.path)).fileName(), fromStd(image.label)),
                qint64(image.id));
        }
        const int kept = imagePicker_->findData(previous);
        imagePicker_->setCurrentIndex(kept >= 0 ? kept : 0);
    }
    showImage(imagePicker_->currentIndex());
}

void CompareDialog::rebuildPanes()
{
    delete panes_;
    views_.clear();
    captions_.clear();
    panes_ = new QWidget(panesArea_);
    auto* row = new QHBoxLayout(panes_);
    row->setContentsMargins(0, 0, 0, 0);
    for (const ModelComparison& model : shown_) {
        auto* view = new ImageView;
        view->setObjectName(QStringLiteral("comparePane%1").arg(model.modelId));
        auto* caption = new QLabel;
        caption->setTextFormat(Qt::RichText);
        caption->setAlignment(Qt::AlignHCenter);
        auto* pane = new QVBoxLayout;
        pane->addWidget(view, 1);
        pane->addWidget(caption);
        row->addLayout(pane, 1);
        views_ << view;
        captions_ << caption;
    }
    // Zoom and pan together, fit included: followView does not emit, so no view echoes back.
    for (ImageView* source : views_)
        for (ImageView* target : views_)
            if (source != target)
                connect(source, &ImageView::viewChanged, target, [source, target] { target->followView(*source); });
    panesArea_->layout()->addWidget(panes_);
    panes_->show(); // added to a visible dialog, it would otherwise stay hidden
}

void CompareDialog::showImage(int pickerIndex)
{
    const std::int64_t imageId = pickerIndex >= 0 ? imagePicker_->itemData(pickerIndex).toLongLong() : 0;
    std::optional<ds::ImageRecord> record;
    cv::Mat image;
    cv::Mat mask;
    QString failure = imageId ? QString() : QStringLiteral("No scored test images");
    if (imageId) {
        try {
            record = project_->image(imageId);
            if (!record)
                throw ds::Error("The image is no longer in the project");
            image = ds::loadImageRgb(record->path);
            if (record->hasMask)
                mask = project_->mask(imageId);
        } catch (const std::exception& e) {
            failure = fromStd(e.what());
        }
    }
    for (int pane = 0; pane < views_.size(); ++pane) {
        const ModelComparison& model = shown_[size_t(pane)];
        QString caption = QStringLiteral("<b>%1</b>").arg(model.name.toHtmlEscaped());
        const auto scored = std::find(model.scores.imageIds.begin(), model.scores.imageIds.end(), imageId);
        if (!failure.isEmpty()) {
            views_[pane]->setPlaceholder(failure);
        } else if (model.runId == 0) {
            views_[pane]->setPlaceholder(QStringLiteral("Not scored: ") + kNotScoredHint);
        } else if (scored == model.scores.imageIds.end()) {
            views_[pane]->setPlaceholder(QStringLiteral("This model's run did not score this image"));
        } else {
            const double score = model.scores.scores[size_t(scored - model.scores.imageIds.begin())];
            const bool defect = score >= model.threshold;
            caption += QStringLiteral("<br>score %1 · <span style=\"color:%2\"><b>%3</b></span> (threshold %4)")
                           .arg(score, 0, 'f', 3)
                           .arg(defect ? QStringLiteral("#c0392b") : QStringLiteral("#1e8449"),
                                defect ? QStringLiteral("Defect") : QStringLiteral("Good"))
                           .arg(model.threshold, 0, 'f', 3);
            try {
                const cv::Mat heatmap = project_->heatmap(model.runId, imageId);
                if (heatmap.empty()) {
                    views_[pane]->setPlaceholder(QStringLiteral("This run stored no heatmap for the image"));
                } else {
                    ds::OverlayStyle style;
                    style.groundTruth = mask;
                    views_[pane]->setImages(bgrMatToQImage(ds::renderOverlay(image, heatmap, model.threshold, style)));
                }
            } catch (const std::exception& e) {
                views_[pane]->setPlaceholder(fromStd(e.what()));
            }
        }
        captions_[pane]->setText(caption);
    }
}

QString CompareDialog::statusText() const
{
    return status_->text();
}

bool CompareDialog::exportImage(const QString& path)
{
    // The comparison itself, without the dialog's status line and buttons.
    if (content_->grab().save(path, "PNG"))
        return true;
    // Non-modal, so neither a running event loop nor an automated test is blocked.
    auto* box = new QMessageBox(QMessageBox::Warning, QStringLiteral("Export Image"),
                                QStringLiteral("Could not save the picture as %1: check that the folder exists "
                                               "and is writable.")
                                    .arg(QDir::toNativeSeparators(path)),
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
    return false;
}

void CompareDialog::exportDialog()
{
    const QString path = askSaveFileName(
        this, QStringLiteral("Export Image"),
        QFileInfo(projectPath_).dir().filePath(QFileInfo(projectPath_).completeBaseName() + QStringLiteral(" comparison.png")),
        QStringLiteral("PNG image (*.png)"));
    if (!path.isEmpty())
        exportImage(path);
}

} // namespace ds::ui
