#include "ui/models/ResultsPane.h"

#include "core/review/ReviewQueue.h"
#include "ui/models/ResultsFilterProxy.h"
#include "ui/models/ThumbnailLoader.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace ds::ui {

namespace {
constexpr int kThumbnailSide = 40;
}

ResultsPane::ResultsPane(QWidget* parent)
    : QWidget(parent)
{
    model_ = new ResultsModel(this);
    proxy_ = new ResultsFilterProxy(this);
    proxy_->setSourceModel(model_);
    view_ = new QTableView;
    view_->setObjectName(QStringLiteral("resultsView"));
    view_->setModel(proxy_);
    view_->setSortingEnabled(true);
    view_->sortByColumn(ResultsModel::ScoreColumn, Qt::DescendingOrder);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->setAlternatingRowColors(true);
    view_->setIconSize(QSize(kThumbnailSide, kThumbnailSide));
    view_->verticalHeader()->hide();
    view_->verticalHeader()->setDefaultSectionSize(kThumbnailSide + 4);
    view_->horizontalHeader()->setSectionResizeMode(ResultsModel::ImageColumn, QHeaderView::Stretch);
    // Fixed widths for the short columns (measuring every row would cost on large runs);
    // long file names lose their middle, not their number.
    const QFontMetrics metrics = view_->fontMetrics();
    view_->setColumnWidth(ResultsModel::LabelColumn, metrics.horizontalAdvance(QStringLiteral("contamination")) + 12);
    view_->setColumnWidth(ResultsModel::ReviewColumn, metrics.horizontalAdvance(QStringLiteral("Review")) + 24);
    view_->setColumnWidth(ResultsModel::ScoreColumn, metrics.horizontalAdvance(QStringLiteral("0000.0000")) + 16);
    view_->setColumnWidth(ResultsModel::VerdictColumn, metrics.horizontalAdvance(QStringLiteral("Verdict")) + 24);
    view_->setWordWrap(false);
    view_->setTextElideMode(Qt::ElideMiddle);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ResultsPane::currentImageChanged);

    thumbnails_ = new ThumbnailLoader(kThumbnailSide, this);
    connect(thumbnails_, &ThumbnailLoader::thumbnailReady, model_, &ResultsModel::setThumbnail);
    thumbnailBatch_ = new QTimer(this);
    thumbnailBatch_->setSingleShot(true);
    thumbnailBatch_->setInterval(300);
    connect(thumbnailBatch_, &QTimer::timeout, this, &ResultsPane::requestThumbnails);

    showFilter_ = new QComboBox;
    showFilter_->setObjectName(QStringLiteral("showFilter"));
    showFilter_->addItem(QStringLiteral("All images"), int(ResultsFilterProxy::Show::All));
    showFilter_->addItem(QStringLiteral("Flagged as defect"), int(ResultsFilterProxy::Show::Flagged));
    showFilter_->addItem(QStringLiteral("Misclassified"), int(ResultsFilterProxy::Show::Misclassified));
    showFilter_->addItem(QStringLiteral("Not yet reviewed"), int(ResultsFilterProxy::Show::Unreviewed));
    showFilter_->setToolTip(QStringLiteral("Misclassified: the model's verdict at the current threshold disagrees with "
                                           "the truth (a reviewer's verdict, else the dataset's label)"));
    connect(showFilter_, &QComboBox::currentIndexChanged, this,
            [this] { proxy_->setShow(ResultsFilterProxy::Show(showFilter_->currentData().toInt())); });
    labelFilter_ = new QComboBox;
    labelFilter_->setObjectName(QStringLiteral("labelFilter"));
    labelFilter_->setToolTip(QStringLiteral("Only images with this label (defect type)"));
    labelFilter_->addItem(QStringLiteral("All labels"), QString());
    labelFilter_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    labelFilter_->setMinimumContentsLength(10); // a long label elides; the window does not widen
    connect(labelFilter_, &QComboBox::currentIndexChanged, this,
            [this] { proxy_->setLabel(labelFilter_->currentData().toString()); });
    // Once a filter is chosen, the keys go back to the table: a letter typed into a focused
    // combo box would pick an entry (N: "Not yet reviewed", G: the label "good").
    for (QComboBox* choice : {showFilter_, labelFilter_})
        connect(choice, &QComboBox::activated, this, [this] { view_->setFocus(Qt::OtherFocusReason); });

    runLabel_ = new QLabel(QStringLiteral("No results"));
    runLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // its text never widens the window
    auto* filters = new QHBoxLayout;
    filters->setContentsMargins(0, 0, 0, 0);
    filters->addWidget(runLabel_, 1);
    filters->addWidget(showFilter_);
    filters->addWidget(labelFilter_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filters);
    layout->addWidget(view_);

    // The queue follows the rows, also those arriving live while scoring.
    connect(model_, &QAbstractItemModel::modelReset, this, &ResultsPane::applyOrder);
    connect(model_, &QAbstractItemModel::rowsInserted, this, &ResultsPane::applyOrder);
}

void ResultsPane::setRows(std::vector<ResultsModel::Row> rows, double threshold, QHash<std::int64_t, QString> paths)
{
    paths_ = std::move(paths);
    model_->setRows(std::move(rows), threshold);
    updateLabelFilter();
    requestThumbnails();
}

void ResultsPane::appendRow(ResultsModel::Row row, const QString& path)
{
    paths_.insert(row.imageId, path);
    const bool needsThumbnail = !model_->hasThumbnail(row.imageId);
    model_->appendRow(std::move(row));
    if (needsThumbnail && !thumbnailBatch_->isActive())
        thumbnailBatch_->start(); // previews for the rows so far, made on a worker thread
}

void ResultsPane::setRunText(const QString& text)
{
    runLabel_->setText(text);
}

void ResultsPane::setThreshold(double threshold)
{
    model_->setThreshold(threshold);
    if (nearestFirst_)
        applyOrder();
}

void ResultsPane::forgetThumbnails()
{
    thumbnails_->cancel();
    model_->clearThumbnails();
}

void ResultsPane::setNearestThresholdFirst(bool nearestFirst)
{
    nearestFirst_ = nearestFirst;
    applyOrder();
}

void ResultsPane::applyOrder()
{
    if (!nearestFirst_) {
        if (proxy_->hasRanking()) {
            proxy_->setRanking({});
            view_->setSortingEnabled(true);
            view_->sortByColumn(ResultsModel::ScoreColumn, Qt::DescendingOrder);
        }
        return;
    }
    std::vector<std::int64_t> ids;
    std::vector<double> scores;
    for (const ResultsModel::Row& row : model_->rows()) {
        ids.push_back(row.imageId);
        scores.push_back(row.score);
    }
    view_->setSortingEnabled(false); // the queue decides the order, not a column
    view_->horizontalHeader()->setSortIndicatorShown(false);
    proxy_->setRanking(ds::reviewOrder(ids, scores, model_->threshold(), ds::ReviewOrder::NearestThresholdFirst));
    if (view_->currentIndex().isValid())
        view_->scrollTo(view_->currentIndex());
}

void ResultsPane::updateLabelFilter()
{
    const QString current = labelFilter_->currentData().toString();
    std::set<QString> labels;
    for (const ResultsModel::Row& row : model_->rows())
        if (!row.label.isEmpty())
            labels.insert(row.label);
    const QSignalBlocker blocker(labelFilter_);
    labelFilter_->clear();
    labelFilter_->addItem(QStringLiteral("All labels"), QString());
    for (const QString& label : labels)
        labelFilter_->addItem(label, label);
    labelFilter_->setCurrentIndex(std::max(0, labelFilter_->findData(current)));
    proxy_->setLabel(labelFilter_->currentData().toString());
}

void ResultsPane::requestThumbnails()
{
    QList<ThumbnailLoader::Request> requests;
    for (const ResultsModel::Row& row : model_->rows())
        if (!model_->hasThumbnail(row.imageId))
            requests.append({row.imageId, paths_.value(row.imageId)});
    thumbnails_->load(std::move(requests));
}

std::int64_t ResultsPane::currentImageId() const
{
    const QModelIndex current = view_->currentIndex();
    return current.isValid() ? current.data(ResultsModel::ImageIdRole).toLongLong() : 0;
}

void ResultsPane::selectImage(std::int64_t imageId)
{
    for (int row = 0; row < proxy_->rowCount(); ++row) {
        const QModelIndex index = proxy_->index(row, 0);
        if (index.data(ResultsModel::ImageIdRole).toLongLong() == imageId) {
            view_->setCurrentIndex(index);
            view_->scrollTo(index);
            return;
        }
    }
}

void ResultsPane::selectFirst()
{
    if (proxy_->rowCount() > 0) {
        view_->selectRow(0);
        view_->setCurrentIndex(proxy_->index(0, 0));
    }
}

void ResultsPane::next()
{
    const int row = view_->currentIndex().row();
    if (row + 1 < proxy_->rowCount())
        view_->setCurrentIndex(proxy_->index(row + 1, 0));
}

void ResultsPane::previous()
{
    const int row = view_->currentIndex().row();
    if (row > 0)
        view_->setCurrentIndex(proxy_->index(row - 1, 0));
}

std::int64_t ResultsPane::nextImageId() const
{
    const int row = view_->currentIndex().row();
    return row + 1 < proxy_->rowCount() ? proxy_->index(row + 1, 0).data(ResultsModel::ImageIdRole).toLongLong() : 0;
}

QString ResultsPane::currentCaption() const
{
    const QModelIndex current = view_->currentIndex();
    if (!current.isValid())
        return {};
    const double score = current.data(ResultsModel::ScoreRole).toDouble();
    const QString label = proxy_->index(current.row(), ResultsModel::LabelColumn).data().toString();
    return QStringLiteral("<b>%1</b> &nbsp; label: %2 &nbsp; score: <b>%3</b> &nbsp; verdict: <b>%4</b>")
        .arg(proxy_->index(current.row(), ResultsModel::ImageColumn).data().toString().toHtmlEscaped(), label.toHtmlEscaped(),
             QString::number(score, 'f', 4), ResultsModel::verdictText(current.data(ResultsModel::DefectRole).toBool()));
}

} // namespace ds::ui
